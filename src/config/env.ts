import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Every environment variable the service reads, with its default. Validated once at start-up. */
export class Env {
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;

  /** A PostgreSQL server. Unset means the embedded default database. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  /** Folder of the embedded default database. */
  @IsString() DATA_DIR = '.data';
  @Transform(toInt) @IsInt() @Min(1024) @Max(65535) EMBEDDED_PG_PORT = 54329;

  @IsString() @MinLength(8) DEMO_PASSWORD = 'Demo@2026';
  @Transform(emptyToUndefined) @IsOptional() @IsIn(['0', '1']) SEED_DEMO?: '0' | '1';

  /** HMAC key for access tokens. Unset: one is generated once and kept in the database. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32) JWT_SECRET?: string;
  @Transform(toInt) @IsInt() @Min(30) @Max(86400) JWT_TTL_SECONDS = 900;

  /**
   * HMAC key that seals each day's audit chain head; the database must not hold it. Unset: on the embedded
   * default one is generated once into DATA_DIR/audit-seal.key; with DATABASE_URL, days are not sealed.
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32) AUDIT_SEAL_KEY?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(100) LOGIN_MAX_FAILURES = 5;
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) LOGIN_LOCK_MINUTES = 30;
  /** Failed logins one client address may make per window before it must wait (429 with Retry-After). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) LOGIN_ADDRESS_MAX_FAILURES = 20;
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) LOGIN_ADDRESS_MINUTES = 15;
  /**
   * The proxies (load balancer) whose X-Forwarded-For names the client: their addresses or CIDRs,
   * comma-separated. Unset: the connecting address is the client.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[0-9A-Fa-f:./]+(\s*,\s*[0-9A-Fa-f:./]+)*$/, {
    message: 'TRUST_PROXY must be comma-separated proxy addresses or CIDRs, e.g. 10.0.0.0/8,127.0.0.1',
  })
  TRUST_PROXY?: string;

  @Transform(toInt) @IsInt() @Min(1024) @Max(104857600) BODY_LIMIT_BYTES = 8388608;
  /** Longest a request may take to arrive, headers and body (then 408 REQUEST_TIMEOUT and the connection closes). */
  @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) REQUEST_TIMEOUT_MS = 120000;
  /** The largest attachment (the request carries it base64-encoded, a third larger). */
  @Transform(toInt) @IsInt() @Min(1024) @Max(52428800) ATTACHMENT_MAX_BYTES = 5242880;
  /** The deepest nesting of arrays and objects a JSON body may have. */
  @Transform(toInt) @IsInt() @Min(4) @Max(1000) JSON_MAX_DEPTH = 64;
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  /** Longest wait for a database connection, new or from the pool (then 503 DATABASE_UNAVAILABLE). */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DB_CONNECT_TIMEOUT_MS = 5000;
  /** Longest a statement may run on the server (PostgreSQL's statement_timeout). */
  @Transform(toInt) @IsInt() @Min(100) @Max(3600000) DB_STATEMENT_TIMEOUT_MS = 8000;
  /** Longest the service waits for any answer of the database (a stopped or unreachable server). */
  @Transform(toInt) @IsInt() @Min(100) @Max(3600000) DB_QUERY_TIMEOUT_MS = 9000;
  /** Longest a transaction may sit idle holding its locks (idle_in_transaction_session_timeout). */
  @Transform(toInt) @IsInt() @Min(100) @Max(3600000) DB_IDLE_TX_TIMEOUT_MS = 60000;

  /** Folders (comma-separated) whose *.bpmn files are deployed at start-up. */
  @IsString() WORKFLOWS_DIR = 'workflows';
  /** Live engines kept in memory per process to save the cost of recovering them. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100000) ENGINE_CACHE_SIZE = 200;
  /** Seconds between polls for due timers. */
  @Transform(toInt) @IsInt() @Min(1) @Max(600) TIMER_POLL_SECONDS = 2;
  /** Seconds between sweeps that queue again due timers whose job was lost (e.g. retries spent in an outage). */
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) TIMER_SWEEP_SECONDS = 60;

  /** 准入: an application must be submitted at least this many working days before its start date. */
  @Transform(toInt) @IsInt() @Min(0) @Max(365) ADMISSION_LEAD_WORKING_DAYS = 30;

  /** 准入: the longest period (start date to end date) an application may ask for, in years. */
  @Transform(toInt) @IsInt() @Min(1) @Max(50) ADMISSION_MAX_PERIOD_YEARS = 3;

  /** 费随事转: days after sign-off within which each community's funding must be confirmed. */
  @Transform(toInt) @IsInt() @Min(1) @Max(365) ADMISSION_FUNDING_DAYS = 30;

  /** Residents' satisfaction (percent) below which an exit proposal opens by itself. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100) EXIT_SATISFACTION_THRESHOLD = 60;

  /** The longest an emergency admission (突发事件) may last without a regular application. */
  @Transform(toInt) @IsInt() @Min(1) @Max(365) EMERGENCY_MAX_DAYS = 30;

  /** The longest a stamp-list workbook (XLSX) may take to read, in its worker thread (then 413). */
  @Transform(toInt) @IsInt() @Min(1) @Max(600) IMPORT_READ_SECONDS = 30;
  /** The heap the workbook reader's thread may use, in MB (then 413). */
  @Transform(toInt) @IsInt() @Min(64) @Max(16384) IMPORT_READ_MEMORY_MB = 1024;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
}

export class EnvError extends Error {}

/** Reads and validates the environment; a bad value throws an EnvError naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const known = Object.keys(new Env()).concat([
    'DATABASE_URL',
    'SEED_DEMO',
    'JWT_SECRET',
    'AUDIT_SEAL_KEY',
    'TRUST_PROXY',
  ]);
  const picked: Record<string, unknown> = {};
  // An empty value counts as unset: the default applies.
  for (const key of known) if (source[key] !== undefined && source[key] !== '') picked[key] = source[key];
  const env = plainToInstance(Env, picked);
  const errors = validateSync(env, { whitelist: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}=${JSON.stringify(source[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new EnvError(`Invalid environment variable(s):\n  ${lines.join('\n  ')}`);
  }
  return env;
}

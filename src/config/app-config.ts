import type { Env } from './env.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Configuration resolved at start-up: the validated environment plus what was derived from it. */
export interface AppConfig {
  env: Env;
  databaseUrl: string;
  embeddedDatabase: boolean;
  jwtSecret: string;
  /** The key that seals each day's audit chain head (see AuditSealer); null: days are not sealed. */
  auditSealKey: string | null;
}

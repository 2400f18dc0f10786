import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { fileSealKey } from './audit/audit-seal-key.js';
import { AuditService } from './audit/audit.service.js';
import type { AuthedRequest } from './common/actor.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { AppError, ERROR_CODES, ERRORS } from './common/errors.js';
import {
  bodyDeadline,
  clientErrorHandler,
  frameworkErrorHandler,
  refuseLongUrls,
  refuseUndecodableQuery,
} from './common/http-errors.js';
import { boundedJsonParser } from './common/json-body.js';
import { PinoNestLogger } from './common/logger.js';
import { makeValidationPipe, RejectUnstorableTextPipe } from './common/validation.js';
import { RefuseUnreadBody } from './common/no-body.js';
import type { AppConfig } from './config/app-config.js';
import type { Env } from './config/env.js';
import { makeDataSource } from './database/data-source.js';
import { EmbeddedDatabase } from './database/embedded-database.js';
import { migrate } from './database/migrate.js';
import { timeoutsOf } from './database/pg-options.js';
import { SystemSetting } from './database/system-setting.entity.js';
import { seedDemo } from './org/demo-seed.js';
import { loadShippedCalendars } from './workflow/work-calendar-shipped.js';
import { loadShippedStampLists } from './stamps/stamp-lists-shipped.js';
import { serveConsole } from './console/serve-console.js';

export interface PreparedDatabase {
  config: AppConfig;
  dataSource: DataSource;
  /** Stops what prepareDatabase started (pool, embedded server). */
  close(): Promise<void>;
}

/**
 * Everything before Nest starts: the database (embedded when DATABASE_URL is unset), migrations under an
 * advisory lock, the token key, the shipped work calendars, and the demo seed when asked for.
 */
export async function prepareDatabase(env: Env, log: Logger): Promise<PreparedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = new EmbeddedDatabase({
      dataDir: env.DATA_DIR,
      port: env.EMBEDDED_PG_PORT,
      database: 'admission',
      log: (m) => log.debug({ component: 'embedded-postgres' }, m),
      warn: (m) => log.warn({ component: 'embedded-postgres' }, m),
    });
    log.info(
      `DATABASE_URL is not set: using the embedded PostgreSQL in ${env.DATA_DIR}/pg on 127.0.0.1:${env.EMBEDDED_PG_PORT}`,
    );
    databaseUrl = await embedded.start();
  } else {
    log.info(`using the PostgreSQL server at ${redact(databaseUrl)}`);
  }
  // Migrations (and the wait for another process's) take as long as they take: a connection of their own,
  // without the time limits that keep requests from hanging on a database that stopped answering.
  const migrations = makeDataSource(databaseUrl, 2);
  try {
    await migrations.initialize();
    const applied = await migrate(migrations);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (e) {
    await embedded?.stop();
    throw e;
  } finally {
    if (migrations.isInitialized) await migrations.destroy();
  }
  const dataSource = makeDataSource(databaseUrl, env.DB_POOL_SIZE, timeoutsOf(env));
  try {
    await dataSource.initialize();
    const jwtSecret = env.JWT_SECRET ?? (await storedSecret(dataSource));
    const auditSealKey = env.AUDIT_SEAL_KEY ?? (embedded ? await fileSealKey(env.DATA_DIR) : null);
    if (!auditSealKey) {
      log.warn(
        'AUDIT_SEAL_KEY is not set: the audit chain is not sealed, and a rewrite of the whole history inside the database would go unnoticed',
      );
    }
    // The national holiday calendars the service ships (data/work-calendar-*.csv), from the first start on.
    await loadShippedCalendars(dataSource, log);
    // The national stamp list (民发〔2020〕20号, data/certificates-prohibited-national-2020.csv), once.
    await loadShippedStampLists(dataSource, log);
    const seed = env.SEED_DEMO === '1' || (embedded !== undefined && env.SEED_DEMO !== '0');
    if (seed && (await seedDemo(dataSource, env.DEMO_PASSWORD, new AuditService(dataSource)))) {
      log.info('demo organization and users seeded (password: DEMO_PASSWORD)');
    }
    return {
      config: { env, databaseUrl, embeddedDatabase: embedded !== undefined, jwtSecret, auditSealKey },
      dataSource,
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        await embedded?.stop();
      },
    };
  } catch (e) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw e;
  }
}

/** The token key: generated once and kept in the database, so every server process shares it. */
async function storedSecret(ds: DataSource): Promise<string> {
  await ds
    .createQueryBuilder()
    .insert()
    .into(SystemSetting)
    .values({ key: 'jwt_secret', value: randomBytes(48).toString('base64url') })
    .orIgnore()
    .execute();
  return (await ds.getRepository(SystemSetting).findOneByOrFail({ key: 'jwt_secret' })).value;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function trustedProxies(setting: string | undefined): string[] | false {
  return setting ? setting.split(',').map((a) => a.trim()) : false;
}
/** A request id a client may choose: 1–64 printable ASCII characters without spaces. */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,64}$/;

/** Builds the Nest application on Fastify with the global pipe, filter, error handler, logs and OpenAPI. */
export async function createApp(
  config: AppConfig,
  dataSource: DataSource,
  log: Logger,
  extraModules: Type[] = [],
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.env.BODY_LIMIT_BYTES,
    // Node answers 408 to headers that have not arrived in time (checked a few times within the limit); a body that
    // stops arriving is bodyDeadline's.
    requestTimeout: config.env.REQUEST_TIMEOUT_MS,
    http: {
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(250, Math.floor(config.env.REQUEST_TIMEOUT_MS / 4)),
      ),
    },
    // A client's own x-request-id is kept when it fits where it is stored (audit records); else a new one.
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Behind a load balancer the client's address (login throttling, logs) comes from X-Forwarded-For.
    trustProxy: trustedProxies(config.env.TRUST_PROXY),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, dataSource, extraModules),
    adapter,
    {
      logger: new PinoNestLogger(log),
      abortOnError: false,
    },
  );
  app.useGlobalPipes(new RejectUnstorableTextPipe(), makeValidationPipe());
  app.useGlobalInterceptors(new RefuseUnreadBody());
  app.useGlobalFilters(new AllExceptionsFilter());

  // Fastify's own errors (body parsing, size limits) reach AllExceptionsFilter through Nest's error handler.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', refuseLongUrls);
  fastify.addHook('onRequest', refuseUndecodableQuery);
  fastify.addHook('onRequest', bodyDeadline(config.env.REQUEST_TIMEOUT_MS));
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.env.BODY_LIMIT_BYTES },
    boundedJsonParser(fastify, config.env.JSON_MAX_DEPTH),
  );
  // The API speaks JSON only: a form or a plain-text body answers 415 UNSUPPORTED_MEDIA_TYPE (send JSON), not a
  // validation error that every field is missing.
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    { bodyLimit: config.env.BODY_LIMIT_BYTES },
    (_r, _b, done) => done(new AppError('UNSUPPORTED_MEDIA_TYPE')),
  );
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    log.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        user: (request as AuthedRequest).user?.username,
      },
      'request',
    );
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Community-work admission (社区工作准入) API')
      .setDescription(
        'Departments apply to put work onto community committees; leading groups review, countersign and ' +
          'approve; funded items enter communities and exit again. Every route lists the permission it needs ' +
          '(`x-permissions`) and its error codes. Errors are `{ "error": { "code", "message", "details" } }`.\n\n' +
          'Error codes: ' +
          ERROR_CODES.map((c) => `\`${c}\` (${ERRORS[c][0]})`).join(', '),
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorBody = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: ERROR_CODES },
          message: { type: 'string' },
          details: {},
          requestId: { type: 'string' },
        },
      },
    },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await serveConsole(app, log);
  await app.init();
  return app;
}

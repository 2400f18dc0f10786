import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** Where the console's pages are served from: the browser console (console/) is built there by `npm run build`. */
export const CONSOLE_PREFIX = '/console/';

/**
 * The built console: `dist/console`, whether this file runs compiled (dist/src/console/) or from its source
 * (src/console/, as the tests load it).
 */
export function consoleDir(): string {
  const up = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return basename(up) === 'dist' ? join(up, 'console') : join(up, 'dist', 'console');
}

/**
 * Serves the browser console from the API's own process (same origin, no CORS): `/` redirects to `/console/`,
 * the built files are served as they are, and every other path under `/console/` answers the console's
 * index.html, so that a deep link (`/console/inbox`) opens the page the console's router draws. Nothing
 * outside `/console/` falls back: the API, `/docs` and unknown routes keep their JSON 404. Called before
 * `app.init()`; routes registered here are Fastify's own, outside Nest's guards (the pages are public files,
 * the data behind them is the API's, with its own rules).
 */
export async function serveConsole(
  app: NestFastifyApplication,
  log: Logger,
  dir = consoleDir(),
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Not built: no redirect to a page that is not there (`/` keeps its JSON 404).
  if (!existsSync(join(dir, 'index.html'))) {
    log.warn(`the console is not built (no ${dir}/index.html): run npm run build`);
    return;
  }
  fastify.get('/', (_req: FastifyRequest, reply: FastifyReply) => reply.redirect(CONSOLE_PREFIX, 302));
  // The query goes along (a deep link such as /console?communityName=…).
  fastify.get('/console', (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.url.indexOf('?');
    return reply.redirect(`${CONSOLE_PREFIX}${query < 0 ? '' : req.url.slice(query)}`, 301);
  });
  await app.register(fastifyStatic, {
    root: dir,
    prefix: CONSOLE_PREFIX,
    // One route per built file, read at start: the fallback below answers everything else under /console/.
    wildcard: false,
    index: ['index.html'],
    // Its own cache-control below, not the default `max-age=0` (which would take the place of it).
    cacheControl: false,
    // Whole files only: the console's files are small, and a Range the file cannot satisfy would answer 416.
    acceptRanges: false,
    setHeaders: (res, path) => {
      // Hashed file names never change content; index.html names the current ones, so it is checked each time.
      // The folder is read below the console's own (the install path may hold an `assets` folder too).
      const hashed = relative(dir, path).split(/[\\/]/)[0] === 'assets';
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  fastify.get(`${CONSOLE_PREFIX}*`, (req: FastifyRequest, reply: FastifyReply) => {
    // A missing built file (an old release's asset, a favicon) is a 404, not a page: a script must not get
    // HTML. The console's own routes have no file extension.
    const path = req.url.split('?')[0];
    if (/\.[A-Za-z0-9]+$/.test(path) || /^\/console\/assets\//i.test(decodeURIComponentSafe(path)))
      return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dir);
  });
}

/** The path as the file system would read it, or as sent when it does not decode. */
function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** The built console (web/dist), made by scripts/build-web.mjs. */
export const consoleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Paths the console never owns: the API, the development login, the OpenAPI page, the health checks, the petitioners' page. */
const serverPaths = /^\/(api|auth|docs|health|public|cx)(\/|$|\?)/;
const assetPath = /\.(js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|json|txt|xml|webmanifest|woff2?|ttf|html?)$/i;

/**
 * Serves the console at `/` next to the API: its files, and index.html for any other GET outside the server's
 * paths, so that a reload of /matters/LS… opens the console at that page. Returns false (and serves nothing) when
 * the console has not been built.
 */
export async function serveConsole(app: FastifyInstance, root = consoleDir): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    // Hashed assets may be cached for long; index.html must be revalidated so a new build is picked up.
    setHeaders(res, path) {
      res.raw.setHeader('cache-control', path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // A missing file (a name with an asset's extension) is a 404; any other path is a page of the console — an
    // escalation's id has dots in it (petition-….investigation.skip-level.V…), so "has a dot" is not "is a file".
    if (req.method === 'GET' && !serverPaths.test(path) && !assetPath.test(path)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${path} not found` });
  });
  return true;
}

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** One file of the built SPA, held in memory with its compressed forms. */
interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  type: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** Compressed once at start; source maps (large, for developers only) are not. */
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.json', '.svg', '.txt']);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Reads the built SPA once (a few MB): every file is then answered from memory in one write, gzip- or
 * brotli-compressed as the browser accepts, with an ETag. Nothing of it waits for the disk or libuv's thread
 * pool, which a burst of password hashes may be using. Vite's hashed `/assets/` files never change and are
 * cached for a year; the rest is revalidated. index.html is left to the SPA fallback; source maps are left out
 * in production.
 */
export function loadStaticFiles(distDir: string, options: { sourceMaps: boolean }): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const path of listFiles(distDir)) {
    const url = `/${relative(distDir, path).split(sep).join('/')}`;
    const extension = extname(path);
    if (url === '/index.html' || (extension === '.map' && !options.sourceMaps)) continue;
    const body = readFileSync(path);
    const compress = COMPRESSIBLE.has(extension) && body.length > 1024;
    files.set(url, {
      body,
      gzip: compress ? gzipSync(body, { level: 9 }) : null,
      brotli: compress ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }) : null,
      type: TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      cacheControl: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

function answer(file: StaticFile, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  void reply
    .header('ETag', file.etag)
    .header('Cache-Control', file.cacheControl)
    .header('Vary', 'Accept-Encoding');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const accepted = request.headers['accept-encoding'] ?? '';
  let body = file.body;
  if (file.brotli && /\bbr\b/.test(accepted)) {
    body = file.brotli;
    void reply.header('Content-Encoding', 'br');
  } else if (file.gzip && /\bgzip\b/.test(accepted)) {
    body = file.gzip;
    void reply.header('Content-Encoding', 'gzip');
  }
  return reply.type(file.type).send(body);
}

/** One route per file: no lookup for other requests, and Fastify answers HEAD too. */
export function registerStaticFiles(fastify: FastifyInstance, files: Map<string, StaticFile>): void {
  for (const [url, file] of files) {
    fastify.get(url, (request, reply) => answer(file, request, reply));
  }
}

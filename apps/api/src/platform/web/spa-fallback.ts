import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';

const API_PREFIXES = ['/api/', '/api?', '/metrics'];

/**
 * Serves the built SPA's index.html for browser navigations to paths the API does not own, so that
 * deep links such as /servers/web-01 work after a reload. Static files are registered separately.
 */
@Injectable()
export class SpaFallback {
  readonly distDir: string;
  private indexHtml: string | null = null;

  constructor(config: AppConfig) {
    this.distDir = resolve(config.values.WEB_DIST_DIR ?? join(__dirname, '../../../../web/dist'));
  }

  get isBuilt(): boolean {
    return existsSync(join(this.distDir, 'index.html'));
  }

  accepts(request: FastifyRequest): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (
      API_PREFIXES.some(
        (prefix) => request.url === prefix.replace(/[/?]$/, '') || request.url.startsWith(prefix),
      )
    ) {
      return false;
    }
    return (request.headers.accept ?? '').includes('text/html');
  }

  async send(reply: FastifyReply): Promise<void> {
    const html = this.read();
    if (html === null) {
      await reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web UI is not built. Run `npm run build` (or `npm start`, which builds it).');
      return;
    }
    await reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(html);
  }

  private read(): string | null {
    if (this.indexHtml === null && this.isBuilt)
      this.indexHtml = readFileSync(join(this.distDir, 'index.html'), 'utf8');
    return this.indexHtml;
  }
}

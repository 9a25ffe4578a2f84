// The SPA's build and dev server. In development the API runs on :3000 (API_URL) and Vite proxies every path
// the API owns, the event stream included; a browser navigation to /login (an HTML request) stays with the
// SPA. WEB_PORT moves the dev server off :4200.
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
const apiTarget = process.env['API_URL'] ?? 'http://127.0.0.1:3000';

function isPageNavigation(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

const toApi: ProxyOptions = { target: apiTarget, changeOrigin: false };
const toApiExceptPages: ProxyOptions = {
  ...toApi,
  bypass: (req) => (isPageNavigation(req) ? '/index.html' : undefined),
};

export default defineConfig({
  root,
  plugins: [react()],
  resolve: {
    alias: {
      '@proxdeck/contracts': `${workspace}libs/contracts/src/index.ts`,
      '@proxdeck/api-client': `${workspace}libs/api-client/src/index.ts`,
    },
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env['WEB_PORT'] ?? 4200),
    strictPort: true,
    proxy: {
      '/api': toApi,
      '/login': toApiExceptPages,
      '/logout': toApi,
      '/change-password': toApi,
      '/session': toApi,
      '/metrics': toApi,
    },
  },
  build: {
    outDir: `${root}dist`,
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // Libraries change less often than the application: separate files stay cached across releases.
        manualChunks: {
          react: ['react', 'react-dom', 'react-router'],
          mantine: ['@mantine/core', '@mantine/hooks', '@mantine/notifications', '@mantine/modals'],
          data: ['@tanstack/react-query', 'openapi-fetch', 'i18next', 'react-i18next'],
        },
      },
    },
  },
});

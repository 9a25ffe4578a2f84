import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Security headers (helmet's defaults) with a CSP for the SPA and the OpenAPI viewer: scripts only from
 * this origin; inline styles allowed because Mantine and Swagger UI inject them.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  // The Grafana dashboard a server's page embeds: its address is a setting changed at run time
  // (POST /api/monitoring/config), so any http(s) page may be framed; scripts and connections stay this origin's.
  frameSrc: ["'self'", 'https:', 'http:'],
  frameAncestors: ["'self'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  // Not helmet's default "upgrade-insecure-requests": on a plain-HTTP install (a lab LAN) it would send the
  // SPA's own assets to an https:// origin that does not exist.
  upgradeInsecureRequests: null,
};

/**
 * The headers helmet would set, computed once. They do not depend on the request, so setting them from a
 * precomputed map costs nothing per request, where helmet's per-request middleware cost a third of the
 * throughput of a simple authenticated GET (`npm run bench`).
 */
export function securityHeaders(): Record<string, string> {
  const headers = new Map<string, string>();
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  helmet({ contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY } })(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    () => undefined,
  );
  return Object.fromEntries(headers);
}

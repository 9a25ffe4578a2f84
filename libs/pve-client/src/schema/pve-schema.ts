/**
 * Typed access to the facts-only PVE schema subsets (pve-schema.json for 9.2, pve-schema-8.3.json for 8.3, derived
 * by scripts/derive-pve-schema.mjs from the official API dumps; see README.md beside this file).
 * The client's parameter types and the simulator's parameter checks both come from here.
 */
import schema83Document from './pve-schema-8.3.json';
import schemaDocument from './pve-schema.json';

export type PveParamType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
export type PveHttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface PveParamSchema {
  type?: PveParamType;
  optional?: 0 | 1;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  requires?: string;
  alias?: string;
  keyAlias?: string;
  default_key?: 0 | 1;
  default?: string | number;
  format?: string | Record<string, PveParamSchema>;
  format_description?: string;
  items?: PveParamSchema;
}

export interface PveEndpointSchema {
  name: string;
  allowtoken: 0 | 1;
  protected: 0 | 1;
  proxyto?: string;
  permissions?: unknown;
  permissionUser?: string;
  additionalProperties: 0 | 1;
  parameters: Record<string, PveParamSchema>;
  returns: unknown;
}

export interface PveSchemaDocument {
  _source: { file: string; sha256: string; derivedBy: string; note: string };
  pveVersion: string;
  endpoints: Record<string, PveEndpointSchema>;
}

/** The PVE releases whose schema is kept: the current one first. */
export const PVE_RELEASES = ['9.2', '8.3'] as const;
export type PveRelease = (typeof PVE_RELEASES)[number];

export const pveSchema = schemaDocument as unknown as PveSchemaDocument;
const schemas: Record<PveRelease, PveSchemaDocument> = {
  '9.2': pveSchema,
  '8.3': schema83Document as unknown as PveSchemaDocument,
};

export function schemaFor(release: PveRelease): PveSchemaDocument {
  return schemas[release];
}

/** `key` is `"METHOD /path"`, see PveEndpointKey. */
export function getEndpointSchema(key: string): PveEndpointSchema | undefined {
  return pveSchema.endpoints[key];
}

export function listEndpointKeys(): string[] {
  return Object.keys(pveSchema.endpoints);
}

export interface EndpointMatch {
  key: string;
  method: PveHttpMethod;
  template: string;
  schema: PveEndpointSchema;
  /** Decoded path placeholder values, e.g. `{ node: 'pve1', vmid: '100' }`. */
  pathParams: Record<string, string>;
}

interface CompiledTemplate {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  staticSegments: number;
}

const compiled: CompiledTemplate[] = Object.keys(pveSchema.endpoints)
  .map((key) => {
    const space = key.indexOf(' ');
    const method = key.slice(0, space);
    const template = key.slice(space + 1);
    const names: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        const m = /^\{(.+)\}$/.exec(segment);
        if (m?.[1]) {
          names.push(m[1]);
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return {
      method,
      template,
      regex: new RegExp(`^${source}/?$`),
      names,
      staticSegments: template.split('/').length - names.length,
    };
  })
  // Prefer templates with more literal segments when two could match.
  .sort((a, b) => b.staticSegments - a.staticSegments);

/** Whether any method is known for this concrete path (distinguishes 501 "method" from 501 "path"). */
export function matchEndpoint(
  method: string,
  path: string,
  release: PveRelease = '9.2',
): EndpointMatch | undefined {
  for (const c of compiled) {
    if (c.method !== method) continue;
    const m = c.regex.exec(path);
    if (!m) continue;
    const pathParams: Record<string, string> = {};
    c.names.forEach((name, i) => {
      pathParams[name] = safeDecode(m[i + 1] ?? '');
    });
    const key = `${c.method} ${c.template}`;
    const schema = schemas[release].endpoints[key];
    if (!schema) continue;
    return { key, method: method as PveHttpMethod, template: c.template, schema, pathParams };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Looks a parameter up, resolving indexed names (`net0` → `net[n]`). */
export function findParamSchema(endpoint: PveEndpointSchema, name: string): PveParamSchema | undefined {
  const direct = endpoint.parameters[name];
  if (direct) return direct;
  const m = /^([a-z][a-z_-]*?)(\d+)$/i.exec(name);
  if (m?.[1]) return endpoint.parameters[`${m[1]}[n]`];
  return undefined;
}

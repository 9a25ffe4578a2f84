#!/usr/bin/env node
// Developer-run only. Derives the facts-only PVE schema subsets that libs/pve-client and apps/pve-sim use
// from the official API dumps in ../shared/pve-api/ (never read at run time or in tests): PVE 9.2 from
// apidoc.json, PVE 8.3 from apidoc-pve-8.3.json.
//
// Writes:
//   libs/pve-client/src/schema/pve-schema.json           PVE 9.2: names, types, formats, enums, ranges, optional flags
//   libs/pve-client/src/schema/pve-schema-8.3.json       the same endpoints in PVE 8.3 (the simulator's PVE_SIM_VERSION=8.3)
//   libs/pve-client/src/schema/pve-params.generated.ts    TypeScript parameter types (PVE 9.2)
//
// Usage: node scripts/derive-pve-schema.mjs [--check] [path/to/apidoc.json [path/to/apidoc-pve-8.3.json]]
//   --check: write nothing; exit 1 if the committed files differ from a fresh derivation (drift check).
// The output is formatted with the workspace's Prettier settings (unless .prettierignore lists it), so it is
// byte-identical to what is committed.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as prettier from 'prettier';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
const positional = args.filter((a) => !a.startsWith('--'));
const sourcePath = resolve(positional[0] ?? join(root, '..', 'shared', 'pve-api', 'apidoc.json'));
const source83Path = resolve(positional[1] ?? join(root, '..', 'shared', 'pve-api', 'apidoc-pve-8.3.json'));
const outDir = join(root, 'libs', 'pve-client', 'src', 'schema');

/** Every method and path Proxdeck uses or the simulator serves. */
const ENDPOINTS = [
  'GET /version',
  'GET /nodes',
  'GET /nodes/{node}/status',
  'GET /nodes/{node}/time',
  'GET /nodes/{node}/rrddata',
  'GET /cluster/resources',
  'GET /cluster/nextid',
  'GET /cluster/tasks',
  'GET /nodes/{node}/tasks',
  'GET /nodes/{node}/tasks/{upid}/status',
  'GET /nodes/{node}/tasks/{upid}/log',
  'DELETE /nodes/{node}/tasks/{upid}',
  'GET /nodes/{node}/qemu',
  'POST /nodes/{node}/qemu',
  'DELETE /nodes/{node}/qemu/{vmid}',
  'POST /nodes/{node}/qemu/{vmid}/clone',
  'GET /nodes/{node}/qemu/{vmid}/config',
  'PUT /nodes/{node}/qemu/{vmid}/config',
  'POST /nodes/{node}/qemu/{vmid}/config',
  'GET /nodes/{node}/qemu/{vmid}/pending',
  'PUT /nodes/{node}/qemu/{vmid}/resize',
  'PUT /nodes/{node}/qemu/{vmid}/unlink',
  'POST /nodes/{node}/qemu/{vmid}/template',
  'GET /nodes/{node}/qemu/{vmid}/status/current',
  'POST /nodes/{node}/qemu/{vmid}/status/start',
  'POST /nodes/{node}/qemu/{vmid}/status/stop',
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
  'POST /nodes/{node}/qemu/{vmid}/status/reboot',
  'POST /nodes/{node}/qemu/{vmid}/status/reset',
  'POST /nodes/{node}/qemu/{vmid}/status/suspend',
  'POST /nodes/{node}/qemu/{vmid}/status/resume',
  'GET /nodes/{node}/qemu/{vmid}/rrddata',
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
  'GET /nodes/{node}/qemu/{vmid}/agent/get-fsinfo',
  'GET /nodes/{node}/qemu/{vmid}/agent/file-read',
  'GET /nodes/{node}/qemu/{vmid}/firewall/rules',
  'POST /nodes/{node}/qemu/{vmid}/firewall/rules',
  'GET /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
  'PUT /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
  'DELETE /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
  'GET /nodes/{node}/qemu/{vmid}/firewall/options',
  'PUT /nodes/{node}/qemu/{vmid}/firewall/options',
  'GET /storage',
  'GET /nodes/{node}/storage',
  'GET /nodes/{node}/storage/{storage}/status',
  'GET /nodes/{node}/storage/{storage}/content',
  'GET /nodes/{node}/storage/{storage}/content/{volume}',
  'PUT /nodes/{node}/storage/{storage}/content/{volume}',
  'DELETE /nodes/{node}/storage/{storage}/content/{volume}',
  'POST /nodes/{node}/vzdump',
  // Scheduled backup jobs (issue 14).
  'GET /cluster/backup',
  'POST /cluster/backup',
  'GET /cluster/backup/{id}',
  'PUT /cluster/backup/{id}',
  'DELETE /cluster/backup/{id}',
  'GET /cluster/backup-info/not-backed-up',
  'GET /cluster/firewall/groups',
  'POST /cluster/firewall/groups',
  'GET /cluster/firewall/groups/{group}',
  'POST /cluster/firewall/groups/{group}',
  'DELETE /cluster/firewall/groups/{group}',
  'GET /cluster/firewall/groups/{group}/{pos}',
  'PUT /cluster/firewall/groups/{group}/{pos}',
  'DELETE /cluster/firewall/groups/{group}/{pos}',
  'GET /cluster/firewall/rules',
  'POST /cluster/firewall/rules',
  'GET /cluster/firewall/rules/{pos}',
  'PUT /cluster/firewall/rules/{pos}',
  'DELETE /cluster/firewall/rules/{pos}',
  'GET /cluster/firewall/options',
  'PUT /cluster/firewall/options',
  'GET /cluster/firewall/aliases',
  'POST /cluster/firewall/aliases',
  'GET /cluster/firewall/aliases/{name}',
  'PUT /cluster/firewall/aliases/{name}',
  'DELETE /cluster/firewall/aliases/{name}',
  'GET /cluster/firewall/ipset',
  'POST /cluster/firewall/ipset',
  'GET /cluster/firewall/ipset/{name}',
  'POST /cluster/firewall/ipset/{name}',
  'DELETE /cluster/firewall/ipset/{name}',
  'GET /cluster/firewall/ipset/{name}/{cidr}',
  'PUT /cluster/firewall/ipset/{name}/{cidr}',
  'DELETE /cluster/firewall/ipset/{name}/{cidr}',
  'POST /access/ticket',
  'GET /access/permissions',
  // Users, groups, API tokens, ACLs and roles (the simulator's privilege model; pveum's least-privilege setup).
  'GET /access/users',
  'POST /access/users',
  'GET /access/users/{userid}',
  'DELETE /access/users/{userid}',
  'GET /access/users/{userid}/token',
  'GET /access/users/{userid}/token/{tokenid}',
  'POST /access/users/{userid}/token/{tokenid}',
  'DELETE /access/users/{userid}/token/{tokenid}',
  'GET /access/groups',
  'POST /access/groups',
  'GET /access/acl',
  'PUT /access/acl',
  'GET /access/roles',
  'POST /access/roles',
  'GET /access/roles/{roleid}',
  'PUT /access/roles/{roleid}',
  'DELETE /access/roles/{roleid}',
  // Read-only endpoints third-party clients (proxmoxer/Ansible, the Terraform providers) call on their way.
  'GET /cluster/status',
  'GET /cluster/ha/resources',
  'GET /nodes/{node}/network',
  'GET /pools',
  'GET /nodes/{node}/qemu/{vmid}/snapshot',
  'GET /cluster/options',
  'GET /nodes/{node}/version',
  'GET /nodes/{node}/qemu/{vmid}',
  'GET /nodes/{node}/qemu/{vmid}/agent/info',
  'GET /nodes/{node}/lxc',
];

const SCALAR_KEYS = [
  'type',
  'optional',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'requires',
  'alias',
  'keyAlias',
  'default_key',
  'format_description',
];

function toNumber(value) {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Keeps only machine-checkable facts of one parameter (or property-string sub-key) schema. */
function facts(schema) {
  const out = {};
  for (const key of SCALAR_KEYS) {
    if (schema[key] === undefined) continue;
    if (key === 'minimum' || key === 'maximum' || key === 'minLength' || key === 'maxLength') {
      const n = toNumber(schema[key]);
      if (n !== undefined) out[key] = n;
    } else if (key === 'optional' || key === 'default_key') {
      out[key] = schema[key] ? 1 : 0;
    } else {
      out[key] = schema[key];
    }
  }
  const def = schema.default;
  if (def !== undefined) {
    const t = schema.type;
    if ((t === 'integer' || t === 'number') && toNumber(def) !== undefined) out.default = toNumber(def);
    else if (t === 'boolean' && (def === 0 || def === 1 || def === '0' || def === '1'))
      out.default = Number(def);
    else if (t === 'string' && typeof def === 'string' && !/\s/.test(def) && def.length <= 64)
      out.default = def;
  }
  if (typeof schema.format === 'string') out.format = schema.format;
  else if (schema.format && typeof schema.format === 'object') {
    out.format = Object.fromEntries(
      Object.keys(schema.format)
        .sort()
        .map((k) => [k, facts(schema.format[k])]),
    );
  }
  if (schema.items && typeof schema.items === 'object') out.items = facts(schema.items);
  return out;
}

/** Return-type facts: the type, and for objects/arrays of objects the property names and types only. */
function returnFacts(schema) {
  if (!schema || typeof schema !== 'object') return {};
  const out = {};
  if (schema.type) out.type = schema.type;
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.keys(schema.properties)
        .sort()
        .map((k) => {
          const p = schema.properties[k];
          const f = { type: p.type ?? 'any' };
          if (p.optional) f.optional = 1;
          if (p.enum) f.enum = p.enum;
          return [k, f];
        }),
    );
  }
  if (schema.items) out.items = returnFacts(schema.items);
  return out;
}

/** The subset of one API dump: every endpoint of ENDPOINTS, facts only. */
function deriveSubset(path, version, label) {
  const raw = readFileSync(path);
  const tree = JSON.parse(raw.toString('utf8'));
  const methods = new Map();
  (function walk(nodes) {
    for (const node of nodes) {
      for (const [method, info] of Object.entries(node.info ?? {}))
        methods.set(`${method} ${node.path}`, info);
      walk(node.children ?? []);
    }
  })(tree);

  const endpoints = {};
  for (const key of ENDPOINTS) {
    const info = methods.get(key);
    if (!info) throw new Error(`endpoint not in the ${version} schema: ${key}`);
    const props = info.parameters?.properties ?? {};
    endpoints[key] = {
      name: info.name,
      allowtoken: info.allowtoken === 0 ? 0 : 1,
      protected: info.protected ? 1 : 0,
      ...(info.proxyto ? { proxyto: info.proxyto } : {}),
      ...(info.permissions?.check ? { permissions: info.permissions.check } : {}),
      ...(info.permissions?.user ? { permissionUser: info.permissions.user } : {}),
      additionalProperties: info.parameters?.additionalProperties === 1 ? 1 : 0,
      parameters: Object.fromEntries(
        Object.keys(props)
          .sort()
          .map((k) => [k, facts(props[k])]),
      ),
      returns: returnFacts(info.returns),
    };
  }
  return {
    _source: {
      file: label,
      sha256: createHash('sha256').update(raw).digest('hex'),
      derivedBy: 'scripts/derive-pve-schema.mjs',
      note: 'Facts only (names, types, formats, enums, ranges, optional flags, permissions); description text removed.',
    },
    pveVersion: version,
    endpoints,
  };
}

const document = deriveSubset(
  sourcePath,
  '9.2',
  '../shared/pve-api/apidoc.json (official PVE 9.2 API schema dump, see ../shared/pve-api/SOURCE.md)',
);
const document83 = deriveSubset(
  source83Path,
  '8.3',
  '../shared/pve-api/apidoc-pve-8.3.json (official PVE 8.3 API schema dump, see ../shared/pve-api/SOURCE.md)',
);
const endpoints = document.endpoints;
const outputs = new Map([
  [join(outDir, 'pve-schema.json'), JSON.stringify(document, null, 1) + '\n'],
  [join(outDir, 'pve-schema-8.3.json'), JSON.stringify(document83, null, 1) + '\n'],
]);

// ---- TypeScript parameter types -------------------------------------------------------------------------
function tsType(p) {
  if (p.enum) return p.enum.map((e) => JSON.stringify(String(e))).join(' | ');
  switch (p.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'PveBoolean';
    case 'array':
      return `${p.items ? tsType(p.items) : 'unknown'}[]`;
    case 'object':
      return 'Record<string, unknown>';
    default:
      return 'string';
  }
}
const lines = [
  '// GENERATED by scripts/derive-pve-schema.mjs from ../shared/pve-api/apidoc.json (PVE 9.2). Do not edit.',
  `// Source sha256: ${document._source.sha256}`,
  '',
  '/** PVE accepts 0/1 (and JSON booleans in JSON bodies); the client sends 0/1. */',
  'export type PveBoolean = boolean | 0 | 1;',
  '',
  '/** Request parameters of every endpoint in the schema subset, keyed by "METHOD /path". */',
  'export interface PveEndpointParams {',
];
for (const [key, ep] of Object.entries(endpoints)) {
  if (Object.keys(ep.parameters).length === 0) {
    lines.push(`  ${JSON.stringify(key)}: Record<string, never>;`);
    continue;
  }
  lines.push(`  ${JSON.stringify(key)}: {`);
  for (const [name, p] of Object.entries(ep.parameters)) {
    const opt = p.optional ? '?' : '';
    const m = /^(.*)\[n\]$/.exec(name);
    if (m) lines.push(`    [key: \`${m[1]}\${number}\`]: ${tsType(p)} | undefined;`);
    else lines.push(`    ${JSON.stringify(name)}${opt}: ${tsType(p)};`);
  }
  lines.push('  };');
}
lines.push('}', '', 'export type PveEndpointKey = keyof PveEndpointParams;', '');
lines.push(
  `export const PVE_ENDPOINT_KEYS = ${JSON.stringify(Object.keys(endpoints), null, 2)} as const;`,
  '',
);
outputs.set(join(outDir, 'pve-params.generated.ts'), lines.join('\n'));

let drift = false;
for (const [file, text] of outputs) {
  const { ignored } = await prettier.getFileInfo(file, { ignorePath: join(root, '.prettierignore') });
  const formatted = ignored
    ? text
    : await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  if (checkOnly) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing counts as drift
    }
    if (current !== formatted) {
      drift = true;
      console.error(`drift: ${file} differs from a fresh derivation`);
    }
  } else {
    writeFileSync(file, formatted);
  }
}
if (checkOnly) {
  console.log(
    drift
      ? 'schema subset is out of date: run node scripts/derive-pve-schema.mjs'
      : 'schema subset is up to date',
  );
  process.exit(drift ? 1 : 0);
}
console.log(`wrote ${Object.keys(endpoints).length} endpoints to ${outDir}`);

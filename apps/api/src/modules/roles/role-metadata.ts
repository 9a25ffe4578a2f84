import { parse } from 'yaml';

/** Role names, as directories under `ansible/roles` (and the variables' prefix). */
export const ROLE_NAME = /^[a-z][a-z0-9_]*$/;
export const ROLE_OS = ['debian', 'ubuntu', 'rocky'] as const;
export const VARIABLE_TYPES = ['string', 'integer', 'boolean', 'list'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];
export type VariableValue = string | number | boolean | (string | number | boolean)[];

/** One variable a role takes, as `meta/proxdeck.yml` declares it. */
export interface RoleVariable {
  name: string;
  type: VariableType;
  /** Absent when the variable is required or secret. */
  default?: VariableValue;
  required: boolean;
  secret: boolean;
  description: string;
  description_ko: string;
}

/** What Proxdeck reads of a role (`ansible/roles/<name>/meta/proxdeck.yml`). */
export interface RoleMetadata {
  name: string;
  label: string;
  label_ko: string;
  description: string;
  description_ko: string;
  os_support: (typeof ROLE_OS)[number][];
  removable: boolean;
  variables: RoleVariable[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Whether `value` is of the variable type `type`. */
export function ofType(type: VariableType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return (
        Array.isArray(value) && value.every((entry) => ['string', 'number', 'boolean'].includes(typeof entry))
      );
  }
}

/**
 * Reads a role's metadata file (`text`), for the role `name` whose directory has (`hasRemove`) or lacks
 * `tasks/remove.yml`. Returns the metadata when it is complete, and every problem found (an empty list: valid).
 */
export function parseRoleMetadata(
  name: string,
  source: string,
  hasRemove: boolean,
): { metadata: RoleMetadata | null; errors: string[] } {
  const errors: string[] = [];
  if (!ROLE_NAME.test(name)) errors.push(`the role name ${name} does not match ${ROLE_NAME.source}`);
  let document: unknown;
  try {
    document = parse(source);
  } catch (error) {
    return {
      metadata: null,
      errors: [`meta/proxdeck.yml is not YAML: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  if (!isRecord(document)) return { metadata: null, errors: ['meta/proxdeck.yml is not a mapping'] };
  for (const key of ['label', 'label_ko', 'description', 'description_ko'] as const)
    if (!text(document[key])) errors.push(`${key} is required (a non-empty text)`);
  const os = document.os_support;
  if (!Array.isArray(os) || os.length === 0)
    errors.push(`os_support is required (a non-empty list of ${ROLE_OS.join(', ')})`);
  else
    for (const entry of os)
      if (!ROLE_OS.includes(entry as (typeof ROLE_OS)[number]))
        errors.push(`os_support: ${String(entry)} is not one of ${ROLE_OS.join(', ')}`);
  if (typeof document.removable !== 'boolean') errors.push('removable is required (true or false)');
  else if (document.removable !== hasRemove)
    errors.push(
      document.removable
        ? 'removable is true but tasks/remove.yml is missing'
        : 'removable is false but tasks/remove.yml exists',
    );
  const variables: RoleVariable[] = [];
  const raw = document.variables ?? [];
  if (!Array.isArray(raw)) errors.push('variables must be a list');
  else {
    const seen = new Set<string>();
    raw.forEach((entry: unknown, index) => {
      const where = `variables[${String(index)}]`;
      if (!isRecord(entry)) {
        errors.push(`${where} is not a mapping`);
        return;
      }
      const variableName = entry.name;
      if (typeof variableName !== 'string' || !/^[a-z][a-z0-9_]*$/.test(variableName)) {
        errors.push(`${where}.name is required (lower-case letters, digits and _)`);
        return;
      }
      const at = `variable ${variableName}`;
      const prefixes = [`${name}_`];
      // Proxdeck's own test roles (proxdeck_marker) prefix with the name after `proxdeck_` (marker_text).
      if (name.startsWith('proxdeck_')) prefixes.push(`${name.slice('proxdeck_'.length)}_`);
      if (!prefixes.some((prefix) => variableName.startsWith(prefix)))
        errors.push(`${at} is not prefixed with ${prefixes.join(' or ')}`);
      if (seen.has(variableName)) errors.push(`${at} is declared twice`);
      seen.add(variableName);
      const type = entry.type as VariableType;
      if (!VARIABLE_TYPES.includes(type))
        errors.push(`${at}: type must be one of ${VARIABLE_TYPES.join(', ')}`);
      const required = entry.required;
      const secret = entry.secret;
      if (typeof required !== 'boolean') errors.push(`${at}: required must be true or false`);
      if (typeof secret !== 'boolean') errors.push(`${at}: secret must be true or false`);
      for (const key of ['description', 'description_ko'] as const)
        if (!text(entry[key])) errors.push(`${at}: ${key} is required`);
      const hasDefault = Object.prototype.hasOwnProperty.call(entry, 'default') && entry.default !== null;
      if (hasDefault && secret === true) errors.push(`${at} is secret and must not have a default`);
      if (hasDefault && required === true) errors.push(`${at} is required and must not have a default`);
      if (hasDefault && VARIABLE_TYPES.includes(type) && !ofType(type, entry.default))
        errors.push(`${at}: the default is not of type ${type}`);
      if (!hasDefault && required === false && secret === false)
        errors.push(`${at} is optional and needs a default`);
      variables.push({
        name: variableName,
        type,
        ...(hasDefault ? { default: entry.default as VariableValue } : {}),
        required: required === true,
        secret: secret === true,
        description: typeof entry.description === 'string' ? entry.description : '',
        description_ko: typeof entry.description_ko === 'string' ? entry.description_ko : '',
      });
    });
  }
  if (errors.length > 0) return { metadata: null, errors };
  return {
    metadata: {
      name,
      label: String(document.label),
      label_ko: String(document.label_ko),
      description: String(document.description),
      description_ko: String(document.description_ko),
      os_support: os as RoleMetadata['os_support'],
      removable: document.removable === true,
      variables,
    },
    errors,
  };
}

/** The variables of a run, checked against the role: the plain ones and the secret ones apart. */
export interface CheckedVariables {
  plain: Record<string, VariableValue>;
  secret: Record<string, string>;
}

/**
 * Checks the variables given for a run of `role`: each is declared and of its type, every required one is
 * given (a secret one non-empty). Problems are named `<field>.<variable>` (`variables.web_listen_port`).
 */
export function checkVariables(
  role: RoleMetadata,
  given: Record<string, unknown> | undefined,
  field = 'variables',
): { checked: CheckedVariables; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const checked: CheckedVariables = { plain: {}, secret: {} };
  const declared = new Map(role.variables.map((variable) => [variable.name, variable]));
  for (const [name, value] of Object.entries(given ?? {})) {
    const variable = declared.get(name);
    if (!variable) {
      problems[`${field}.${name}`] = `is not a variable of role ${role.name}`;
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!ofType(variable.type, value)) {
      problems[`${field}.${name}`] =
        variable.type === 'list'
          ? 'must be a list of texts, numbers or booleans'
          : `must be ${article(variable.type)}`;
      continue;
    }
    if (variable.secret) {
      if (typeof value !== 'string' || value.length === 0) {
        problems[`${field}.${name}`] = 'must be a non-empty text';
        continue;
      }
      checked.secret[name] = value;
    } else checked.plain[name] = value as VariableValue;
  }
  for (const variable of role.variables)
    if (
      variable.required &&
      checked.plain[variable.name] === undefined &&
      checked.secret[variable.name] === undefined &&
      problems[`${field}.${variable.name}`] === undefined
    )
      problems[`${field}.${variable.name}`] = 'is required';
  return { checked, problems };
}

function article(type: VariableType): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}

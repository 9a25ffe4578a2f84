/** Keys whose values are secrets wherever they appear (passwords, token secrets, keys, cookies). */
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[_-]?key|private|credential|authorization|cookie/i;
export const REDACTED = '[redacted]';
/**
 * Keys holding a role's variables (`variables`, `role_variables`): any of them may be a secret whatever its name,
 * so their texts are redacted (numbers and booleans kept).
 */
const ROLE_VARIABLES_KEY = /^(role_)?variables$/;
const MAX_DEPTH = 6;
const MAX_STRING = 500;
const MAX_ITEMS = 100;

/**
 * A copy of request input fit for the audit trail: values under secret-looking keys replaced, long strings and
 * arrays cut, deep nesting summarised. Never throws.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redact(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more]`);
    return items;
  }
  if (typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS)) {
      copy[key] = SECRET_KEY.test(key)
        ? REDACTED
        : ROLE_VARIABLES_KEY.test(key)
          ? redactTexts(inner)
          : redact(inner, depth + 1);
    }
    return copy;
  }
  return typeof value === 'bigint' ? value.toString() : null;
}

/** Role variables for the audit trail: names kept, every text (in lists too) redacted. */
function redactTexts(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return REDACTED;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>).slice(0, MAX_ITEMS))
    copy[key] = typeof inner === 'number' || typeof inner === 'boolean' || inner === null ? inner : REDACTED;
  return copy;
}

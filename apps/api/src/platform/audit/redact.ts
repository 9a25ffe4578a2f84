/** Keys whose values are secrets wherever they appear (passwords, token secrets, keys, cookies). */
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[_-]?key|private|credential|authorization|cookie/i;
export const REDACTED = '[redacted]';
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
      copy[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
    }
    return copy;
  }
  return typeof value === 'bigint' ? value.toString() : null;
}

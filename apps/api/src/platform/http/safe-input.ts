/** How deep a JSON body may nest. Proxdeck's bodies nest three or four levels; 32 leaves room and stops abuse. */
export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

/**
 * The first problem of an input value that no handler should have to think about: nesting deeper than
 * MAX_JSON_DEPTH, or text (values or keys) with NUL characters or lone surrogates, which Postgres refuses or
 * stores mangled. Returns the field path and the problem, or null.
 */
export function findUnsafeInput(
  value: unknown,
  path = '',
  depth = 0,
): { field: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path || '(body)', problem } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_JSON_DEPTH)
    return { field: path || '(body)', problem: `nests deeper than ${MAX_JSON_DEPTH} levels` };
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  for (const [key, inner] of entries) {
    const at = path ? `${path}.${key}` : key;
    const keyProblem = textProblem(key);
    if (keyProblem) return { field: at, problem: `field name ${keyProblem}` };
    const found = findUnsafeInput(inner, at, depth + 1);
    if (found) return found;
  }
  return null;
}

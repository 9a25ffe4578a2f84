/** How PVE expects parameters on the wire: form/query encoding, booleans as 0/1, repeated keys for lists. */
export type PveRequestValue = string | number | boolean | readonly (string | number)[] | undefined | null;
export type PveRequestParams = Readonly<Record<string, PveRequestValue>>;

export function encodePveParams(params: PveRequestParams | undefined): URLSearchParams {
  const out = new URLSearchParams();
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) out.append(key, String(item));
    } else if (typeof value === 'boolean') {
      out.append(key, value ? '1' : '0');
    } else {
      out.append(key, String(value));
    }
  }
  return out;
}

/**
 * `sshkeys` must be URL-encoded before form encoding (PVE checks `^[-%a-zA-Z0-9_.!~*'()]*$`);
 * encodeURIComponent never uses `+` for spaces, which is what the PVE GUI does too.
 */
export function encodeSshKeys(keys: string): string {
  return encodeURIComponent(keys);
}

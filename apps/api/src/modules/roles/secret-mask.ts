export const MASK = '********';

/**
 * Replaces every secret value in run output with `********`, before a line is stored or published. Each
 * secret is looked for as given, JSON-escaped (as Ansible prints values inside JSON and diffs), and, for a
 * multi-line secret, line by line (output is masked one line at a time).
 */
export class SecretMask {
  private readonly needles: string[];

  constructor(secrets: readonly string[]) {
    const needles = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      needles.add(secret);
      needles.add(JSON.stringify(secret).slice(1, -1));
      for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 4) needles.add(line);
    }
    // Longest first: a secret containing another is masked whole.
    this.needles = [...needles].filter((needle) => needle.length > 0).sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  apply(text: string): string {
    let out = text;
    for (const needle of this.needles) out = out.split(needle).join(MASK);
    return out;
  }
}

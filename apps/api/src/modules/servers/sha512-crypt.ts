import { createHash, randomBytes } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

/** The order in which SHA-crypt writes the digest's bytes, three at a time (Drepper's specification). */
const BYTE_ORDER: [number, number, number][] = [];
for (let index = 0; index < 21; index += 1) {
  const [a, b, c] = [index, index + 21, index + 42];
  const rotation = index % 3;
  BYTE_ORDER.push(rotation === 0 ? [a, b, c] : rotation === 1 ? [b, c, a] : [c, a, b]);
}

function sha512(...parts: Buffer[]): Buffer {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** `source` repeated (whole and in part) to `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += source.length) source.copy(out, offset, 0, length - offset);
  return out;
}

function encode(digest: Buffer): string {
  let text = '';
  const put = (value: number, characters: number): void => {
    let word = value;
    for (let n = 0; n < characters; n += 1) {
      text += ITOA64.charAt(word & 0x3f);
      word >>>= 6;
    }
  };
  for (const [b2, b1, b0] of BYTE_ORDER)
    put(((digest[b2] ?? 0) << 16) | ((digest[b1] ?? 0) << 8) | (digest[b0] ?? 0), 4);
  put(digest[63] ?? 0, 2);
  return text;
}

/**
 * SHA-512 crypt (`$6$`, as crypt(3) and `mkpasswd -m sha-512` write it): how a VM password is kept. Proxmox
 * takes such a hash as `cipassword` as is and cloud-init writes it to /etc/shadow, so the clear password never
 * needs to be stored. `salt` is up to 16 characters of `[./0-9A-Za-z]`; `rounds` (1,000–999,999,999) is written
 * into the hash only when it is not the default 5,000.
 */
export function sha512Crypt(password: string, salt: string, rounds = DEFAULT_ROUNDS): string {
  const roundsUsed = Math.min(999_999_999, Math.max(1000, Math.floor(rounds)));
  const key = Buffer.from(password, 'utf8');
  const saltBytes = Buffer.from(salt.slice(0, 16), 'utf8');

  const alternate = sha512(key, saltBytes, key);
  const hashA = createHash('sha512').update(key).update(saltBytes);
  let remaining = key.length;
  for (; remaining > 64; remaining -= 64) hashA.update(alternate);
  hashA.update(alternate.subarray(0, remaining));
  for (let bits = key.length; bits > 0; bits >>= 1) hashA.update(bits & 1 ? alternate : key);
  const digestA = hashA.digest();

  const keySequence = stretch(sha512(...Array<Buffer>(key.length).fill(key)), key.length);
  const saltSequence = stretch(
    sha512(...Array<Buffer>(16 + (digestA[0] ?? 0)).fill(saltBytes)),
    saltBytes.length,
  );

  let digest = digestA;
  for (let round = 0; round < roundsUsed; round += 1) {
    const hash = createHash('sha512');
    hash.update(round & 1 ? keySequence : digest);
    if (round % 3) hash.update(saltSequence);
    if (round % 7) hash.update(keySequence);
    hash.update(round & 1 ? digest : keySequence);
    digest = hash.digest();
  }
  const roundsPart = roundsUsed === DEFAULT_ROUNDS ? '' : `rounds=${String(roundsUsed)}$`;
  return `$6$${roundsPart}${saltBytes.toString('utf8')}$${encode(digest)}`;
}

/** A fresh 16-character salt. */
export function randomSalt(): string {
  return [...randomBytes(16)].map((byte) => ITOA64.charAt(byte & 0x3f)).join('');
}

/** Hashes a VM password with a fresh salt. */
export function hashVmPassword(password: string): string {
  return sha512Crypt(password, randomSalt());
}

/** Whether a text is already a SHA-512 crypt hash. */
export function isSha512CryptHash(text: string): boolean {
  return /^\$6\$(rounds=\d+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/.test(text);
}

import { createHash } from 'node:crypto';

/**
 * A fixed-size name for a string a client chose or that names a person (a username, an address):
 * the first 128 bits of its SHA-256, 22 characters of base64url. Used where only equality is
 * needed, so that what a client sends never decides a key's size and no store holds the name.
 */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

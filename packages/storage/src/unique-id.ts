// Flyte's short, deterministic identifiers for nested nodes and raw-output folders. Reproducing them exactly keeps
// Aloft's storage paths and node ids the same as flytepropeller's for the same execution.

/** FNV-1a, 32 bit. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// Flyte's base32 alphabet for generated ids: lowercase letters and 1–6, so ids are valid Kubernetes names.
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz123456";
const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  if (pad) while (out.length % 8 !== 0) out += "=";
  return out;
}

/** RFC 4648 base32 with padding (what Flyte's DataProxy uses to name uploads by their MD5). */
export function base32Std(bytes: Uint8Array): string {
  return base32(bytes, STD_ALPHABET, true);
}

/**
 * Joins parts with "-" (skipping the dash while nothing has been written yet, as Flyte does) and, when the result
 * is longer than `maxLength`, replaces it by "f" + base32(fnv1a32(joined)) — 8 characters.
 */
export function fixedLengthUniqueId(maxLength: number, parts: readonly string[]): string {
  let joined = "";
  parts.forEach((p, i) => {
    if (i > 0 && joined.length > 0) joined += "-";
    joined += p;
  });
  if (joined.length <= maxLength) return joined;
  const h = fnv1a32(joined);
  const bytes = new Uint8Array([h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255]);
  const id = `f${base32(bytes, ID_ALPHABET, false)}`;
  if (id.length > maxLength) throw new RangeError(`maxLength ${maxLength} is too small for a hashed id`);
  return id;
}

/** Two-character shard ("00".."zz" over a–z then 0–9) Flyte picks for a raw output folder, from FNV-1a of the id. */
export function base36Shard(id: string): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  const i = fnv1a32(id) % (chars.length * chars.length);
  return `${chars[Math.floor(i / chars.length)]}${chars[i % chars.length]}`;
}

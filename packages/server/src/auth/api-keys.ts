// API keys for automation: `aloft_<id>_<secret>`, shown once when created; the database keeps the id, a name and
// the SHA-256 of the secret (the secret is 32 random bytes, so a fast hash is enough: nothing to brute-force).
// Verified keys are remembered for a few seconds so a busy client does not cost a query per call; revoking in
// this process forgets the key at once, other processes sharing the database within that window.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { AuthTables } from "./migrations.ts";

export const KEY_PREFIX = "aloft_";
const KEY_PATTERN = /^aloft_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const REMEMBER_MS = 5_000;

export interface ApiKeyInfo {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function isApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

export class ApiKeys {
  readonly #db: () => Promise<Kysely<AuthTables>>;
  readonly #remembered = new Map<string, { hash: string; active: boolean; at: number }>();

  constructor(db: () => Promise<Kysely<AuthTables>>) {
    this.#db = db;
  }

  async create(name: string, createdBy: string): Promise<ApiKeyInfo & { key: string }> {
    const id = randomBytes(8).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const row = await (await this.#db())
      .insertInto("auth_api_keys")
      .values({ id, name, secret_sha256: sha256(secret), created_by: createdBy, revoked_at: null })
      .returning(["created_at"])
      .executeTakeFirstOrThrow();
    return { id, name, createdBy, createdAt: new Date(row.created_at).toISOString(), revokedAt: null, key: `${KEY_PREFIX}${id}_${secret}` };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await (await this.#db()).selectFrom("auth_api_keys").select(["id", "name", "created_by", "created_at", "revoked_at"]).orderBy("created_at").execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null }));
  }

  /** True when the key existed and was active. */
  async revoke(id: string): Promise<boolean> {
    this.#remembered.delete(id);
    const r = await (await this.#db()).updateTable("auth_api_keys").set({ revoked_at: new Date() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The key's id when the key is well-formed, known, not revoked and its secret matches; undefined otherwise. */
  async verify(key: string): Promise<string | undefined> {
    const m = KEY_PATTERN.exec(key);
    if (!m) return undefined;
    const [, id, secret] = m as unknown as [string, string, string];
    const known = await this.#lookup(id);
    if (!known?.active) return undefined;
    const a = Buffer.from(sha256(secret), "hex");
    const b = Buffer.from(known.hash, "hex");
    return a.length === b.length && timingSafeEqual(a, b) ? id : undefined;
  }

  /** Whether a key id names an active key (tokens issued for a key die with it). */
  async isActive(id: string): Promise<boolean> {
    return (await this.#lookup(id))?.active === true;
  }

  async #lookup(id: string): Promise<{ hash: string; active: boolean } | undefined> {
    const now = Date.now();
    const seen = this.#remembered.get(id);
    if (seen && now - seen.at < REMEMBER_MS) return seen;
    const row = await (await this.#db()).selectFrom("auth_api_keys").select(["secret_sha256", "revoked_at"]).where("id", "=", id).executeTakeFirst();
    if (!row) {
      this.#remembered.delete(id);
      return undefined;
    }
    const entry = { hash: row.secret_sha256, active: row.revoked_at === null, at: now };
    this.#remembered.set(id, entry);
    return entry;
  }
}

// Role grants, kept in the database and held in memory: every call consults them, so the table is read at most
// every two seconds (at once after a change made through this process).
import type { Kysely } from "kysely";
import type { AuthTables } from "./migrations.ts";
import { isRole, type Grant, type Role } from "./roles.ts";

const FRESH_MS = 2_000;

export class Grants {
  readonly #db: () => Promise<Kysely<AuthTables>>;
  /** Grants from configuration (orgAdmins), never stored. */
  readonly #fixed: Grant[];
  #byPrincipal: Map<string, Grant[]> | undefined;
  #loadedAt = 0;
  /** Bumped by every change, so a read that raced a change is not kept as fresh. */
  #generation = 0;
  #loadingGeneration = -1;
  #loading: Promise<Map<string, Grant[]>> | undefined;

  constructor(db: () => Promise<Kysely<AuthTables>>, orgAdmins: string[]) {
    this.#db = db;
    this.#fixed = orgAdmins.map((p) => ({ principal: p, project: "*", domain: "*", role: "org-admin" }));
  }

  /** Every grant held under any of the names. */
  async of(identities: string[]): Promise<Grant[]> {
    const map = await this.#current();
    const out: Grant[] = [];
    for (const id of identities) for (const g of map.get(id) ?? []) out.push(g);
    return out;
  }

  async list(project?: string): Promise<Grant[]> {
    const all = [...(await this.#current()).values()].flat();
    return project === undefined ? all : all.filter((g) => g.project === project || g.project === "*");
  }

  async add(g: Grant, createdBy: string): Promise<void> {
    await (await this.#db()).insertInto("auth_grants").values({ ...g, created_by: createdBy }).onConflict((oc) => oc.doNothing()).execute();
    this.#changed();
  }

  async remove(g: Grant): Promise<boolean> {
    const r = await (await this.#db()).deleteFrom("auth_grants").where("principal", "=", g.principal).where("project", "=", g.project).where("domain", "=", g.domain).where("role", "=", g.role).executeTakeFirst();
    this.#changed();
    return Number(r.numDeletedRows) > 0;
  }

  #changed(): void {
    this.#generation++;
    this.#loadedAt = 0;
  }

  async #current(): Promise<Map<string, Grant[]>> {
    if (this.#byPrincipal && Date.now() - this.#loadedAt < FRESH_MS) return this.#byPrincipal;
    if (this.#loading && this.#loadingGeneration === this.#generation) return this.#loading;
    this.#loadingGeneration = this.#generation;
    this.#loading = (async () => {
      const started = Date.now();
      const generation = this.#generation;
      const rows = await (await this.#db()).selectFrom("auth_grants").select(["principal", "project", "domain", "role"]).execute();
      const map = new Map<string, Grant[]>();
      for (const g of [...this.#fixed, ...rows.filter((r) => isRole(r.role)).map((r) => ({ ...r, role: r.role as Role }))]) {
        map.set(g.principal, [...(map.get(g.principal) ?? []), g]);
      }
      this.#byPrincipal = map;
      if (generation === this.#generation) this.#loadedAt = started;
      return map;
    })();
    const mine = this.#loading;
    void mine.finally(() => {
      if (this.#loading === mine) this.#loading = undefined;
    }).catch(() => {});
    return this.#loading;
  }
}

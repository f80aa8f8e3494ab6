// The audit log: every write (register, launch, terminate, signal, settings, grants, keys) with who, when, what
// and the outcome. Entries are queued and written in batches a moment later, so a write does not wait for a
// second database round trip; a query, and shutdown, first write what is queued.
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { AuthTables } from "../auth/migrations.ts";

export interface AuditEntry {
  principal: string;
  /** The RPC (`AdminService.createExecution`) or management action (`auth.keys.create`). */
  action: string;
  project: string;
  domain: string;
  /** What was acted on: the request's identifier, never its inputs or secrets. */
  resource: string;
  /** `OK` or the gRPC code name the caller received (`PERMISSION_DENIED`, `INVALID_ARGUMENT`, …). */
  outcome: string;
}

export interface AuditQuery {
  project?: string;
  principal?: string;
  action?: string;
  /** Entries at or after this time. */
  since?: Date;
  limit: number;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
}

const FLUSH_MS = 100;
const BATCH = 500;

export class AuditLog {
  readonly #db: () => Promise<Kysely<AuthTables>>;
  readonly #log: Logger | undefined;
  #queue: (AuditEntry & { at: Date })[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(db: () => Promise<Kysely<AuthTables>>, log?: Logger) {
    this.#db = db;
    this.#log = log;
  }

  record(entry: AuditEntry): void {
    this.#queue.push({ ...entry, at: new Date() });
    if (this.#queue.length >= BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes everything queued so far. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await (await this.#db()).insertInto("auth_audit").values(batch).execute();
      } catch (err) {
        // Losing audit entries must be loud: the entries themselves go to the log so they are not lost.
        this.#log?.error({ err, entries: batch }, "audit log write failed");
      }
    });
    return this.#writing;
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    await this.flush();
    let s = (await this.#db()).selectFrom("auth_audit").selectAll();
    if (q.project !== undefined) s = s.where("project", "=", q.project);
    if (q.principal !== undefined) s = s.where("principal", "=", q.principal);
    if (q.action !== undefined) s = s.where("action", "=", q.action);
    if (q.since !== undefined) s = s.where("at", ">=", q.since);
    const rows = await s.orderBy("id", "desc").limit(q.limit).execute();
    return rows.map((r) => ({ ...r, id: String(r.id), at: new Date(r.at).toISOString() }));
  }
}

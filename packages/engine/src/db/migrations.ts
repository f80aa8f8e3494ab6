// Per-package schema migrations. Every package that keeps tables in the shared database (the
// engine, the server) contributes its own ordered list; applied versions are tracked per package so
// the lists evolve independently. Each migration runs in its own transaction under an advisory lock,
// so two processes starting against one PostgreSQL database do not apply a migration twice.
import { sql, type Kysely } from "kysely";
import { MigrationError } from "../errors.ts";

export interface Migration {
  /** Owning package, e.g. "@aloft/engine". Versions are numbered per package. */
  readonly package: string;
  /** Strictly increasing within the package, starting anywhere above 0. */
  readonly version: number;
  /** Short description; must stay stable once applied (a change is reported as an error). */
  readonly name: string;
  up(db: Kysely<any>): Promise<void>;
}

const TABLE = "aloft_schema_migrations";
// Arbitrary constant shared by every Aloft process: the advisory-lock key for migrations.
const LOCK_KEY = 7_314_220_191;

/** Checks a migration list without touching a database (so bad lists fail before any I/O). */
export function groupAndValidate(migrations: readonly Migration[]): Map<string, Migration[]> {
  const byPackage = new Map<string, Migration[]>();
  for (const m of migrations) {
    if (!m.package) throw new MigrationError(`migration "${m.name}": package must not be empty`);
    if (!Number.isInteger(m.version) || m.version <= 0) {
      throw new MigrationError(`migration ${m.package}#${m.version} "${m.name}": version must be a positive integer`);
    }
    const list = byPackage.get(m.package) ?? [];
    list.push(m);
    byPackage.set(m.package, list);
  }
  for (const [pkg, list] of byPackage) {
    list.sort((a, b) => a.version - b.version);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.version === list[i - 1]!.version) {
        throw new MigrationError(`package ${pkg} lists migration version ${list[i]!.version} twice`);
      }
    }
  }
  return byPackage;
}

/** Applies every not-yet-applied migration; returns the ones applied now, in order. */
export async function migrate(db: Kysely<any>, migrations: readonly Migration[]): Promise<Migration[]> {
  const byPackage = groupAndValidate(migrations);
  await sql`create table if not exists ${sql.table(TABLE)} (
    package text not null,
    version integer not null,
    name text not null,
    applied_at timestamptz not null default now(),
    primary key (package, version)
  )`.execute(db).catch(async (err: unknown) => {
    // Two processes creating the table at once: one loses the race on the catalog; the table exists.
    const exists = await sql`select to_regclass(${TABLE}) as t`.execute(db);
    if ((exists.rows[0] as { t: unknown } | undefined)?.t == null) throw err;
  });
  const applied: Migration[] = [];
  for (const [pkg, list] of byPackage) {
    for (const m of list) {
      const didApply = await db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
        const rows = await tx
          .selectFrom(TABLE)
          .select(["version", "name"])
          .where("package", "=", pkg)
          .execute();
        const known = new Map(rows.map((r) => [Number(r.version), String(r.name)]));
        const newest = Math.max(0, ...known.keys());
        const last = list[list.length - 1]!;
        if (newest > last.version) {
          throw new MigrationError(
            `database has ${pkg} migration version ${newest}, newer than this code knows (${last.version}); upgrade Aloft`,
          );
        }
        const appliedName = known.get(m.version);
        if (appliedName !== undefined) {
          if (appliedName !== m.name) {
            throw new MigrationError(
              `${pkg} migration ${m.version} was applied as "${appliedName}" but the code now names it "${m.name}"`,
            );
          }
          return false;
        }
        try {
          await m.up(tx);
        } catch (err) {
          throw new MigrationError(`${pkg} migration ${m.version} "${m.name}" failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        await tx.insertInto(TABLE).values({ package: pkg, version: m.version, name: m.name }).execute();
        return true;
      });
      if (didApply) applied.push(m);
    }
  }
  return applied;
}

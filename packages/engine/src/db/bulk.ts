// Many rows in one statement whose text does not depend on how many: each column travels as one
// array parameter and `unnest` turns the arrays back into rows. A VALUES list of N rows is a new
// statement for every N, parsed and planned each time (on PGlite, about as long as writing ten
// rows); this text is the same for 1 row or 1,000, so the database keeps it prepared.
// Arrays go through node-postgres's array encoding on both dialects.

/** The PostgreSQL types our tables use. */
export type ColumnType = "text" | "bytea" | "int4" | "int8" | "jsonb" | "timestamptz" | "bool";

export type Columns = readonly (readonly [name: string, type: ColumnType])[];

/** `unnest($n::t1[], $n+1::t2[], …)`: the columns' arrays from parameter `first` on. */
export function unnestOf(columns: Columns, first: number): string {
  return `unnest(${columns.map(([, type], i) => `$${first + i}::${type}[]`).join(", ")})`;
}

export interface UpsertShape {
  table: string;
  columns: Columns;
  /** The conflict target (the primary key). */
  key: readonly string[];
  /** Columns set from the new row on conflict; none: `do nothing`. */
  update: readonly string[];
}

/** `insert into t (…) select * from unnest(…) on conflict (…) do update set …`, its arrays from parameter `first`. */
export function upsertSql(shape: UpsertShape, first: number): string {
  const names = shape.columns.map(([n]) => n);
  const onConflict = shape.update.length
    ? `do update set ${shape.update.map((c) => `${c} = excluded.${c}`).join(", ")}`
    : "do nothing";
  return `insert into ${shape.table} (${names.join(", ")}) select * from ${unnestOf(shape.columns, first)} on conflict (${shape.key.join(", ")}) ${onConflict}`;
}

/**
 * The parameters for `columns` (one array per column, in column order), read from the rows by
 * column name. A row missing a column is a programming error, not a NULL: it throws, naming both.
 */
export function columnArrays(rows: readonly object[], columns: Columns): unknown[][] {
  const out: unknown[][] = columns.map(() => new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    for (let c = 0; c < columns.length; c++) {
      const name = columns[c]![0];
      const v = row[name];
      if (v === undefined) throw new Error(`bulk write: row ${r} has no value for column ${name} (null is written as null, undefined is a bug)`);
      out[c]![r] = v;
    }
  }
  return out;
}

// A promise is what calling a task inside a workflow returns: a typed reference to one output of one node, not a
// value. It is what makes wiring type-checked: a Ref<number> does not fit where a Ref<string> is wanted. Refs also
// build branch conditions (`x.gt(5)`), since TypeScript has no operator overloading.
import { DefinitionError } from "./errors.ts";
import type { Schema } from "./types/schema.ts";

/** The pseudo node whose outputs are the workflow's inputs (Flyte's `start-node`). */
export const START_NODE = "start-node";

export type ComparisonOperator = "EQ" | "NEQ" | "GT" | "GTE" | "LT" | "LTE";

/** A value usable on the right of a comparison. */
export type Comparable<T> = Ref<T> | T;

export class Ref<T> {
  /** Phantom member for type inference; covariant so a Ref<number> fits an optional number input. */
  declare readonly __value?: T;

  constructor(
    /** Node that produces the value; START_NODE for workflow inputs. */
    readonly nodeId: string,
    /** The output variable of that node. */
    readonly varName: string,
    readonly schema: Schema<T>,
    /** Attribute path into the output: struct fields and map keys by name, list items by index. */
    readonly attrPath: ReadonlyArray<string | number> = [],
  ) {}

  /** A struct field or map entry of this value, as a promise of its own (Flyte's attribute access). */
  get<K extends keyof T & string>(key: K): Ref<T[K]> {
    const s = this.schema as { fields?: Record<string, Schema<unknown>>; value?: Schema<unknown> };
    const field = s.fields ? s.fields[key] : s.value;
    if (!field) throw new DefinitionError(`${this}: ${key in (s.fields ?? {}) ? "" : `has no field "${key}"; `}only structs and maps have named attributes`);
    return new Ref(this.nodeId, this.varName, field as Schema<T[K]>, [...this.attrPath, key]);
  }

  /** An item of this list, as a promise of its own. */
  at(index: number): Ref<T extends readonly (infer E)[] ? E : never> {
    const item = (this.schema as { item?: Schema<unknown> }).item;
    if (!item) throw new DefinitionError(`${this}: only lists can be indexed`);
    if (!Number.isInteger(index) || index < 0) throw new DefinitionError(`${this}: index must be a non-negative integer, got ${index}`);
    return new Ref(this.nodeId, this.varName, item as Schema<T extends readonly (infer E)[] ? E : never>, [...this.attrPath, index]);
  }

  eq(other: Comparable<T>): Condition {
    return Condition.compare("EQ", this, other);
  }
  ne(other: Comparable<T>): Condition {
    return Condition.compare("NEQ", this, other);
  }
  gt(other: Comparable<T>): Condition {
    return Condition.compare("GT", this, other);
  }
  gte(other: Comparable<T>): Condition {
    return Condition.compare("GTE", this, other);
  }
  lt(other: Comparable<T>): Condition {
    return Condition.compare("LT", this, other);
  }
  lte(other: Comparable<T>): Condition {
    return Condition.compare("LTE", this, other);
  }
  /** `x.isTrue()` for a boolean ref, flytekit's `x.is_true()`. */
  isTrue(this: Ref<boolean>): Condition {
    return Condition.compare("EQ", this, true);
  }
  isFalse(this: Ref<boolean>): Condition {
    return Condition.compare("EQ", this, false);
  }

  toString(): string {
    const path = this.attrPath.map((a) => (typeof a === "number" ? `[${a}]` : `.${a}`)).join("");
    return (this.nodeId === START_NODE ? `input ${this.varName}` : `${this.nodeId}.${this.varName}`) + path;
  }
}

/** The branch-node input name a condition operand reads. */
export function operandVar(r: Ref<unknown>): string {
  return `${r.nodeId}.${r.varName}${r.attrPath.map((a) => `.${a}`).join("")}`;
}

export type ConditionTree =
  | { kind: "compare"; op: ComparisonOperator; left: Ref<unknown> | { constant: unknown }; right: Ref<unknown> | { constant: unknown }; schema: Schema<unknown> }
  | { kind: "and" | "or"; left: ConditionTree; right: ConditionTree };

/** A boolean expression over refs, for `when(...)`. */
export class Condition {
  private constructor(readonly tree: ConditionTree) {}

  static compare<T>(op: ComparisonOperator, left: Ref<T>, right: Comparable<T>): Condition {
    for (const side of [left, right]) {
      // Flyte's compiler types a branch's inputs by whole outputs, so a condition on a field would not compile.
      if (side instanceof Ref && side.attrPath.length > 0) {
        throw new DefinitionError(`conditions cannot compare ${side}, an attribute of an output; compare a whole output (e.g. return the field from a task)`);
      }
    }
    const r = right instanceof Ref ? right : { constant: right };
    return new Condition({ kind: "compare", op, left: left as Ref<unknown>, right: r as Ref<unknown> | { constant: unknown }, schema: left.schema as Schema<unknown> });
  }

  and(other: Condition): Condition {
    return new Condition({ kind: "and", left: this.tree, right: other.tree });
  }

  or(other: Condition): Condition {
    return new Condition({ kind: "or", left: this.tree, right: other.tree });
  }

  /** Every ref the condition reads. */
  refs(): Ref<unknown>[] {
    const out: Ref<unknown>[] = [];
    const walk = (t: ConditionTree) => {
      if (t.kind === "compare") {
        if (t.left instanceof Ref) out.push(t.left);
        if (t.right instanceof Ref) out.push(t.right);
      } else {
        walk(t.left);
        walk(t.right);
      }
    };
    walk(this.tree);
    return out;
  }
}

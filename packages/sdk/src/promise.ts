// A promise is what calling a task inside a workflow returns: a typed reference to one output of one node, not a
// value. It is what makes wiring type-checked: a Ref<number> does not fit where a Ref<string> is wanted. Refs also
// build branch conditions (`x.gt(5)`), since TypeScript has no operator overloading.
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
  ) {}

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
    return this.nodeId === START_NODE ? `input ${this.varName}` : `${this.nodeId}.${this.varName}`;
  }
}

export type ConditionTree =
  | { kind: "compare"; op: ComparisonOperator; left: Ref<unknown> | { constant: unknown }; right: Ref<unknown> | { constant: unknown }; schema: Schema<unknown> }
  | { kind: "and" | "or"; left: ConditionTree; right: ConditionTree };

/** A boolean expression over refs, for `when(...)`. */
export class Condition {
  private constructor(readonly tree: ConditionTree) {}

  static compare<T>(op: ComparisonOperator, left: Ref<T>, right: Comparable<T>): Condition {
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

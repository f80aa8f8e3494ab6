// Evaluation of a branch's BooleanExpression over the branch node's inputs (Flyte's `condition`).
import { core } from "@aloft/idl";
import { InvalidArgumentError, UnsupportedError } from "../errors.ts";

type Comparable = number | bigint | string | boolean | null;

function fromPrimitive(p: core.Primitive, field: string): Comparable {
  const v = p.value;
  switch (v.case) {
    case "integer":
    case "floatValue":
    case "stringValue":
    case "boolean":
      return v.value;
    case "datetime":
      return Number(v.value.seconds) * 1e9 + v.value.nanos;
    case "duration":
      return Number(v.value.seconds) * 1e9 + v.value.nanos;
    default:
      throw new InvalidArgumentError(field, "primitive operand has no value");
  }
}

function fromScalar(s: core.Scalar, field: string): Comparable {
  const v = s.value;
  if (v.case === "primitive") return fromPrimitive(v.value, field);
  if (v.case === "noneType") return null;
  if (v.case === "union" && v.value.value) return fromLiteral(v.value.value, field);
  throw new UnsupportedError(field, `cannot compare a ${v.case ?? "empty"} scalar in a branch condition`);
}

function fromLiteral(l: core.Literal, field: string): Comparable {
  if (l.value.case === "scalar") return fromScalar(l.value.value, field);
  throw new UnsupportedError(field, `cannot compare a ${l.value.case ?? "empty"} literal in a branch condition`);
}

function operand(op: core.Operand | undefined, inputs: core.LiteralMap, field: string): Comparable {
  if (!op) throw new InvalidArgumentError(field, "operand is missing");
  const v = op.val;
  switch (v.case) {
    case "primitive":
      return fromPrimitive(v.value, field);
    case "scalar":
      return fromScalar(v.value, field);
    case "var": {
      const lit = inputs.literals[v.value];
      if (!lit) throw new InvalidArgumentError(field, `branch condition reads input "${v.value}" which is not bound`);
      return fromLiteral(lit, `${field}.${v.value}`);
    }
    default:
      throw new InvalidArgumentError(field, "operand has no value");
  }
}

function numeric(x: Comparable): number | bigint | string | boolean | null {
  return x;
}

function compare(c: core.ComparisonExpression, inputs: core.LiteralMap, field: string): boolean {
  const l = numeric(operand(c.leftValue, inputs, `${field}.left`));
  const r = numeric(operand(c.rightValue, inputs, `${field}.right`));
  const Op = core.ComparisonExpression_Operator;
  if (l === null || r === null) {
    if (c.operator === Op.EQ) return l === r;
    if (c.operator === Op.NEQ) return l !== r;
    throw new InvalidArgumentError(field, "only == and != can compare with None");
  }
  // int and float compare by value, as in Python.
  const a = typeof l === "bigint" && typeof r === "number" ? Number(l) : l;
  const b = typeof r === "bigint" && typeof l === "number" ? Number(r) : r;
  if (typeof a !== typeof b) throw new InvalidArgumentError(field, `cannot compare ${typeof a} with ${typeof b}`);
  switch (c.operator) {
    case Op.EQ:
      return a === b;
    case Op.NEQ:
      return a !== b;
    case Op.GT:
      return a > b;
    case Op.GTE:
      return a >= b;
    case Op.LT:
      return a < b;
    case Op.LTE:
      return a <= b;
    default:
      throw new InvalidArgumentError(`${field}.operator`, `unknown comparison operator ${c.operator}`);
  }
}

export function evaluateCondition(e: core.BooleanExpression | undefined, inputs: core.LiteralMap, field: string): boolean {
  if (!e) throw new InvalidArgumentError(field, "condition is missing");
  const x = e.expr;
  if (x.case === "comparison") return compare(x.value, inputs, field);
  if (x.case === "conjunction") {
    const c = x.value;
    const L = () => evaluateCondition(c.leftExpression, inputs, `${field}.left`);
    const R = () => evaluateCondition(c.rightExpression, inputs, `${field}.right`);
    if (c.operator === core.ConjunctionExpression_LogicalOperator.AND) return L() && R();
    if (c.operator === core.ConjunctionExpression_LogicalOperator.OR) return L() || R();
    throw new InvalidArgumentError(`${field}.operator`, `unknown logical operator ${c.operator}`);
  }
  throw new InvalidArgumentError(field, "boolean expression is empty");
}

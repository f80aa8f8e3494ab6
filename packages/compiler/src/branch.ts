// Branch nodes (flytepropeller/pkg/compiler/validators/branch.go and condition.go): the interface of an if/elif/else
// is the outputs all its cases share, its inputs are whatever its bindings bring in for the conditions, and
// each condition must compare operands of the same type.
import { create, equals } from "@bufbuild/protobuf";
import { core, formatLiteralType as fmt } from "@aloft/idl";
import { validateBindings } from "./bindings.ts";
import { EdgeDirection, getVariable, type NodeBuilder, setEntry, type WorkflowBuilder } from "./builder.ts";
import { ErrorCodes as C, type ErrorScope } from "./errors.ts";
import { validateUnderlyingInterface } from "./interface.ts";
import { addEdges, validateNode } from "./node.ts";
import { literalTypeForPrimitive } from "./scalar-type.ts";

function sameType(a: core.LiteralType | undefined, b: core.LiteralType | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return equals(core.LiteralTypeSchema, a, b);
}

export function validateBranchInterface(
  w: WorkflowBuilder,
  n: NodeBuilder,
  errs: ErrorScope,
): { iface?: core.TypedInterface | undefined; ok: boolean } {
  if (n.iface) return { iface: n.iface, ok: true };
  const nodeId = n.node.id;
  const branch = n.node.target.case === "branchNode" ? n.node.target.value : undefined;
  if (branch === undefined) {
    errs.collect(C.ValueRequired, nodeId, "Value required [Branch].");
    return { ok: false };
  }
  const ifElse = branch.ifElse;
  if (ifElse === undefined) {
    errs.collect(C.ValueRequired, nodeId, "Value required [Branch.IfElse].");
    return { ok: false };
  }
  if (ifElse.case === undefined) {
    errs.collect(C.ValueRequired, nodeId, "Value required [Branch.IfElse.Case].");
    return { ok: false };
  }
  if (ifElse.case.thenNode === undefined) {
    errs.collect(C.ValueRequired, nodeId, "Value required [Branch.IfElse.Case.ThenNode].");
    return { ok: false };
  }

  const cases: core.Node[] = [ifElse.case.thenNode];
  for (const other of ifElse.other) {
    if (other.thenNode === undefined) {
      errs.collect(C.ValueRequired, nodeId, "Value required [IfElse.Case.ThenNode].");
      continue;
    }
    cases.push(other.thenNode);
  }
  if (ifElse.default.case === "elseNode") cases.push(ifElse.default.value);

  let outputs: core.VariableMap | undefined;
  let shared = new Set<string>();
  for (const block of cases) {
    const sub = w.builderFor(block);
    // Inner nodes are named after their branch so that ids stay unique across the workflow.
    sub.node.id = `${nodeId}-${sub.node.id}`;
    const r = validateUnderlyingInterface(w, sub, errs.scope());
    if (!r.ok) continue;
    const subOutputs = r.iface?.outputs ?? create(core.VariableMapSchema);
    if (outputs === undefined) {
      outputs = subOutputs;
      shared = new Set(Object.keys(subOutputs.variables));
      continue;
    }
    // Only outputs every case produces survive, and they must have the same type everywhere.
    shared = new Set([...shared].filter((k) => Object.hasOwn(subOutputs.variables, k)));
    for (const name of shared) {
      const a = getVariable(outputs, name)?.type;
      const b = getVariable(subOutputs, name)?.type;
      if (!sameType(a, b)) {
        errs.collect(C.MismatchingTypes, sub.node.id, `Variable [${name}] (type [${fmt(a)}]) doesn't match expected type [${fmt(b)}].`);
      }
    }
  }

  // The branch's inputs are whatever its bindings provide; conditions are later checked against them.
  const { resolved } = validateBindings(w, n, n.node.inputs, create(core.VariableMapSchema), false, EdgeDirection.Upstream, errs.scope());
  if (errs.hasErrors() || outputs === undefined) return { ok: !errs.hasErrors() };
  const finalOutputs = create(core.VariableMapSchema);
  for (const [name, v] of Object.entries(outputs.variables)) if (shared.has(name)) setEntry(finalOutputs.variables, name, v);
  return { iface: create(core.TypedInterfaceSchema, { inputs: resolved, outputs: finalOutputs }), ok: true };
}

function validateOperand(
  n: NodeBuilder,
  paramName: string,
  operand: core.Operand | undefined,
  requireParamType: boolean,
  errs: ErrorScope,
): { type?: core.LiteralType | undefined; ok: boolean } {
  const nodeId = n.node.id;
  let type: core.LiteralType | undefined;
  if (operand === undefined) {
    errs.collect(C.ValueRequired, nodeId, `Value required [${paramName}].`);
  } else if (operand.val.case === "primitive") {
    type = literalTypeForPrimitive(operand.val.value);
  } else if (operand.val.case === "var" && operand.val.value.length > 0) {
    const name = operand.val.value;
    if (n.iface) {
      const param = getVariable(n.iface.inputs, name);
      if (param) type = param.type;
      else if (requireParamType || !n.node.inputs.some((b) => b.var === name)) {
        errs.collect(C.VariableNameNotFound, nodeId, `Variable [${name}] not found on node [${nodeId}].`);
      }
    } else {
      errs.collect(C.ValueRequired, nodeId, `Value required [${name}].`);
    }
  } else {
    // Scalar operands are not accepted by Flyte's compiler either; only primitives and input variables.
    errs.collect(C.ValueRequired, nodeId, `Value required [${paramName}.Val].`);
  }
  return { type, ok: !errs.hasErrors() };
}

export function validateBooleanExpression(
  n: NodeBuilder,
  expr: core.BooleanExpression | undefined,
  requireParamType: boolean,
  errs: ErrorScope,
): boolean {
  const nodeId = n.node.id;
  if (expr === undefined) {
    errs.collect(C.BranchNodeHasNoCondition, nodeId, "One of the branches on the node doesn't have a condition.");
  } else if (expr.expr.case === "comparison") {
    const cmp = expr.expr.value;
    const right = validateOperand(n, "RightValue", cmp.rightValue, requireParamType, errs.scope());
    const left = validateOperand(n, "LeftValue", cmp.leftValue, requireParamType, errs.scope());
    if (right.ok && left.ok && right.type && left.type && !sameType(right.type, left.type)) {
      errs.collect(C.MismatchingTypes, nodeId, `Variable [RightValue] (type [${fmt(right.type)}]) doesn't match expected type [${fmt(left.type)}].`);
    }
  } else if (expr.expr.case === "conjunction") {
    validateBooleanExpression(n, expr.expr.value.leftExpression, requireParamType, errs.scope());
    validateBooleanExpression(n, expr.expr.value.rightExpression, requireParamType, errs.scope());
  } else {
    errs.collect(C.ValueRequired, nodeId, "Value required [Expr].");
  }
  return !errs.hasErrors();
}

/** Validates conditions and inner nodes of a branch node, adding the inner nodes' upstream edges. */
export function validateBranchNode(
  w: WorkflowBuilder,
  n: NodeBuilder,
  branch: core.BranchNode,
  requireParamType: boolean,
  errs: ErrorScope,
): void {
  const nodeId = n.node.id;
  const ifElse = branch.ifElse;
  const blocks: core.IfBlock[] = [];
  if (ifElse?.case === undefined) errs.collect(C.BranchNodeHasNoCondition, nodeId, "One of the branches on the node doesn't have a condition.");
  else blocks.push(ifElse.case);
  blocks.push(...(ifElse?.other ?? []));

  const subNodes: NodeBuilder[] = [];
  for (const block of blocks) {
    validateBooleanExpression(n, block.condition, requireParamType, errs.scope());
    if (block.thenNode === undefined) errs.collect(C.BranchNodeIdNotFound, nodeId, "BranchNode not assigned");
    else subNodes.push(w.builderFor(block.thenNode));
  }
  if (ifElse?.default.case === "elseNode") subNodes.push(w.builderFor(ifElse.default.value));
  else if (ifElse?.default.case !== "error") {
    errs.collect(C.BranchNodeHasNoDefault, nodeId, "Branch Node must have either the else case set or a default error.");
  }

  const discovered = subNodes.filter((s) => validateNode(w, s, requireParamType, errs.scope()));
  if (errs.hasErrors()) return;
  for (const s of discovered) addEdges(w, s, EdgeDirection.Upstream, errs.scope());
}

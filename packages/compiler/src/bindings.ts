// Binding validation (flytepropeller/pkg/compiler/validators/bindings.go): resolves each input binding of a node
// (constants, promises on other nodes' outputs, collections, maps, union variants, attribute paths), checks its
// type against the input it feeds, and records the edges the promises imply.
import { create } from "@bufbuild/protobuf";
import { core, formatLiteralType as fmt } from "@aloft/idl";
import { areTypesCastable } from "./castability.ts";
import { ErrorCodes as C, ErrorScope } from "./errors.ts";
import { type EdgeDirection, getVariable, type NodeBuilder, setEntry, START_NODE_ID, type WorkflowBuilder } from "./builder.ts";
import { validateEffectiveOutputs } from "./outputs.ts";
import { literalTypeForScalar } from "./scalar-type.ts";
import { parseVarName } from "./var-name.ts";

interface Resolved {
  type?: core.LiteralType | undefined;
  upstream: string[];
  ok: boolean;
}

const EMPTY_TYPE = create(core.LiteralTypeSchema);
const EMPTY_VARIABLES = Object.freeze(create(core.VariableMapSchema)) as core.VariableMap;

function describe(b: core.BindingData): string {
  switch (b.value.case) {
    case "collection":
      return `collection of ${b.value.value.bindings.length} bindings`;
    case "map":
      return `map with keys {${Object.keys(b.value.value.bindings).join(",")}}`;
    case "promise":
      return `promise ${b.value.value.nodeId}.${b.value.value.var}`;
    case "scalar":
      return `scalar ${fmt(literalTypeForScalar(b.value.value))}`;
    case "offloadedMetadata":
      // Flyte prints the Go type of binding kinds it does not take (reflect.TypeOf(val)); "" when unset.
      return "*core.BindingData_OffloadedMetadata";
    default:
      return "";
  }
}

/** The Go type name Flyte prints for a scalar it cannot type: only a blob without metadata (or an unset scalar). */
function scalarGoType(s: core.Scalar): string {
  return s.value.case === "blob" ? "*core.Scalar_Blob" : "<unset scalar>";
}

function validateOutputVar(up: NodeBuilder, name: string, errs: ErrorScope): core.Variable | undefined {
  const outputs = validateEffectiveOutputs(up, errs.scope());
  if (outputs.ok) {
    const v = getVariable(outputs.params, name);
    if (v === undefined) {
      errs.collect(C.VariableNameNotFound, up.node.id, `Variable [${name}] not found on node [${up.node.id}].`);
    }
    return errs.hasErrors() ? undefined : v;
  }
  return undefined;
}

function validatePromise(
  w: WorkflowBuilder,
  node: NodeBuilder,
  param: string,
  promise: core.OutputReference,
  expected: core.LiteralType,
  errs: ErrorScope,
  checkTypes: boolean,
): Resolved {
  const nodeId = node.node.id;
  const upId = promise.nodeId === "" ? START_NODE_ID : promise.nodeId;
  const up = w.nodes.get(upId);
  if (up === undefined) {
    errs.collect(C.NodeReferenceNotFound, promise.nodeId, `Referenced node [${promise.nodeId}] not found.`);
  } else {
    const v = parseVarName(promise.var);
    if (v instanceof Error) {
      errs.collect(C.SyntaxError, nodeId, `Failed to parse element [${promise.var}].`);
      return { upstream: [], ok: false };
    }
    // Only error messages name the variables: built when one is reported, not for every binding.
    const inputVar = () => (node.node.metadata ? `${node.node.metadata.name}.${param}` : param);
    const outputVar = () => (up.node.metadata ? `${up.node.metadata.name}.${promise.var}` : promise.var);
    const out = validateOutputVar(up, v.name, errs.scope());
    if (out !== undefined) {
      let source = out.type ?? EMPTY_TYPE;
      if (v.index !== undefined) {
        if (source.type.case === "collectionType") source = source.type.value;
        else errs.collect(C.MismatchingTypes, nodeId, mismatch(outputVar(), fmt(out.type), inputVar(), fmt(expected)));
      }
      for (const attr of promise.attrPath) {
        if (source.type.case === "collectionType" || source.type.case === "mapValueType") {
          source = source.type.value;
        } else if (source.structure && Object.keys(source.structure.dataclassType).length > 0) {
          // Attribute access into a dataclass / Pydantic model: its field types are listed in the structure.
          const key = attr.value.case === "stringValue" ? attr.value.value : "";
          const fields = source.structure.dataclassType;
          if (!Object.hasOwn(fields, key)) {
            errs.collect(C.FieldNotFound, nodeId, `Variable [${promise.var}] (type [${fmt(source)}]) doesn't have field [${key}].`);
            return { upstream: [], ok: false };
          }
          source = fields[key]!;
        }
      }
      if (!checkTypes || areTypesCastable(source, expected)) {
        promise.nodeId = up.node.id;
        return { type: out.type, upstream: [up.node.id], ok: true };
      }
      errs.collect(C.MismatchingTypes, nodeId, mismatch(outputVar(), fmt(source), inputVar(), fmt(expected)));
      return { upstream: [], ok: false };
    }
  }
  errs.collect(C.ParameterNotBound, nodeId, `Parameter not bound [${param}].`);
  return { upstream: [], ok: false };
}

function mismatch(fromVar: string, fromType: string, toVar: string, toType: string): string {
  // "type type" is Flyte's wording (errors/compiler_errors.go); kept so messages compare equal.
  return `The output variable '${fromVar}' has type [${fromType}], but it's assigned to the input variable '${toVar}' which has type type [${toType}].`;
}

function mismatchingBindings(nodeId: string, param: string, expected: core.LiteralType, got: string): string {
  return `Input [${param}] on node [${nodeId}] expects bindings of type [${fmt(expected)}].  Received [${got}]`;
}

export function validateBinding(
  w: WorkflowBuilder,
  node: NodeBuilder,
  param: string,
  binding: core.BindingData,
  expectedType: core.LiteralType | undefined,
  errs: ErrorScope,
  checkTypes: boolean,
): Resolved {
  const nodeId = node.node.id;
  const expected = expectedType ?? EMPTY_TYPE;
  const value = binding.value;

  // Scalars and promises go through the union-aware castability check; anything else bound to a union must fit
  // exactly one of its variants.
  if (value.case !== "scalar" && value.case !== "promise" && expected.type.case === "unionType") {
    let match: { variant: core.LiteralType; r: Resolved } | undefined;
    for (const variant of expected.type.value.variants) {
      const r = validateBinding(w, node, param, binding, variant, ErrorScope.root(), checkTypes);
      if (!r.ok) continue;
      if (match) {
        errs.collect(
          C.AmbiguousBindingUnionValue,
          nodeId,
          `Input [${param}] on node [${nodeId}] expects bindings of union type [${fmt(expected)}].  Received [${describe(binding)}] which is ambiguous as both variants [${fmt(match.variant)}] and [${fmt(variant)}] match.`,
        );
        return { upstream: [], ok: false };
      }
      match = { variant, r };
    }
    if (match) return match.r;
    errs.collect(
      C.IncompatibleBindingUnionValue,
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of union type [${fmt(expected)}].  Received [${describe(binding)}] which does not match any of the variants.`,
    );
    return { upstream: [], ok: false };
  }

  switch (value.case) {
    case "collection":
    case "map": {
      const isList = value.case === "collection";
      const inner = isList
        ? expected.type.case === "collectionType" ? expected.type.value : undefined
        : expected.type.case === "mapValueType" ? expected.type.value : undefined;
      if (inner === undefined) {
        errs.collect(C.MismatchingBindings, nodeId, mismatchingBindings(nodeId, param, expected, describe(binding)));
        return { upstream: [], ok: false };
      }
      const items = isList ? value.value.bindings : Object.values((value.value as core.BindingDataMap).bindings);
      const upstream: string[] = [];
      let sub: core.LiteralType | undefined;
      for (const item of items) {
        const r = validateBinding(w, node, param, item, inner, errs.scope(), checkTypes);
        if (r.ok) {
          upstream.push(...r.upstream);
          sub = r.type;
        }
      }
      const t = create(core.LiteralTypeSchema, {
        type: { case: isList ? "collectionType" : "mapValueType", value: sub ?? create(core.LiteralTypeSchema) },
      });
      return { type: t, upstream, ok: !errs.hasErrors() };
    }
    case "promise":
      return validatePromise(w, node, param, value.value, expected, errs, checkTypes);
    case "scalar": {
      const t = literalTypeForScalar(value.value);
      if (t === undefined) {
        errs.collect(C.UnrecognizedValue, nodeId, `Unrecognized value [${scalarGoType(value.value)}].`);
      } else if (checkTypes && !areTypesCastable(t, expected)) {
        errs.collect(C.MismatchingTypes, nodeId, `Variable [${param}] (type [${fmt(t)}]) doesn't match expected type [${fmt(expected)}].`);
      }
      if (expected.type.case === "enumType") {
        const s = value.value.value;
        const v = s.case === "primitive" && s.value.value.case === "stringValue" ? s.value.value.value : "";
        const allowed = expected.type.value.values;
        if (!allowed.includes(v)) {
          errs.collect(
            C.IllegalEnumValue,
            nodeId,
            // Go prints the []string inside Flyte's brackets, hence the doubled brackets.
            `Input [${param}] on node [${nodeId}] is an Enum and expects value to be one of [[${allowed.join(" ")}]].  Received [${v}]`,
          );
        }
      }
      return { type: t, upstream: [], ok: !errs.hasErrors() };
    }
    default:
      errs.collect(C.MismatchingBindings, nodeId, mismatchingBindings(nodeId, param, expected, describe(binding)));
      return { upstream: [], ok: false };
  }
}

function isOptional(v: core.Variable | undefined): boolean {
  const t = v?.type?.type;
  if (t?.case !== "unionType") return false;
  return t.value.variants.some((x) => x.type.case === "simple" && x.type.value === core.SimpleType.NONE);
}

/**
 * Validates a node's bindings against `params` (its input variables), adds the edges they imply in `dir`, and
 * returns the resolved input variables. With `checkTypes` off (branch and gate nodes, whose inputs are whatever
 * they bind), bindings introduce their own variables instead of being matched against `params`, and those
 * variables are returned; with it on, `resolved` stays empty.
 */
export function validateBindings(
  w: WorkflowBuilder,
  node: NodeBuilder,
  bindings: readonly core.Binding[],
  params: core.VariableMap | undefined,
  checkTypes: boolean,
  dir: EdgeDirection,
  errs: ErrorScope,
): { resolved: core.VariableMap; ok: boolean } {
  const nodeId = node.node.id;
  const resolved = checkTypes ? EMPTY_VARIABLES : create(core.VariableMapSchema);
  const provided = new Set<string>();
  for (const b of bindings) {
    let param = getVariable(params, b.var);
    if (param === undefined && checkTypes) {
      errs.collect(C.VariableNameNotFound, nodeId, `Variable [${b.var}] not found on node [${nodeId}].`);
    } else if (b.binding === undefined) {
      errs.collect(C.ValueRequired, nodeId, "Value required [Binding].");
    } else if (provided.has(b.var)) {
      errs.collect(C.ParameterBoundMoreThanOnce, nodeId, `Input [${b.var}] is bound more than once.`);
    } else {
      // Without declared inputs the expected type is the zero type (simple NONE), as in Flyte.
      param ??= create(core.VariableSchema, { type: { type: { case: "simple", value: core.SimpleType.NONE } } });
      provided.add(b.var);
      const r = validateBinding(w, node, b.var, b.binding, param.type, errs.scope(), checkTypes);
      if (r.ok) {
        for (const up of r.upstream) w.addEdge(up, nodeId, dir);
        // Only branch and gate nodes (checkTypes off) take their interface from the resolved bindings.
        if (!checkTypes) setEntry(resolved.variables, b.var, create(core.VariableSchema, r.type ? { type: r.type } : {}));
      }
    }
  }
  if (params) {
    for (const [name, v] of Object.entries(params.variables)) {
      if (!provided.has(name) && !isOptional(v)) {
        errs.collect(C.ParameterNotBound, nodeId, `Parameter not bound [${name}].`);
      }
    }
  }
  return { resolved, ok: !errs.hasErrors() };
}

// GraphNode → core.Node. Entity references are resolved through `NodeRefs`, which the serializer implements
// (registering each referenced task, sub-workflow and launch plan as it goes).
import { create } from "@bufbuild/protobuf";
import { core, durationFromMilliseconds } from "@aloft/idl";
import type { NodeOverrides } from "../entity.ts";
import type { BindingSpec, GraphNode } from "../graph.ts";
import { operandVar, Ref, type ConditionTree } from "../promise.ts";
import type { TaskEntity } from "../task-entity.ts";
import type { WorkflowDef } from "../workflow.ts";
import type { LaunchPlanDef } from "../launch-plan.ts";
import type { Schema } from "../types/schema.ts";
import { DefinitionError } from "../errors.ts";
import { resources } from "./task-parts.ts";

export interface NodeRefs {
  task(task: TaskEntity): Promise<{ id: core.Identifier; shortName: string }>;
  mappedTask(task: TaskEntity, bound: string[]): Promise<{ id: core.Identifier; shortName: string }>;
  workflow(wf: WorkflowDef<any, any>): Promise<{ id: core.Identifier; shortName: string }>;
  launchPlan(lp: LaunchPlanDef<any, any>): Promise<{ id: core.Identifier; shortName: string }>;
  constant(value: unknown, schema: Schema<unknown>, path: string): Promise<core.Literal>;
}

// Messages below are made empty and then filled: create() with an init object walks it by reflection, which
// was a large part of serializing a 10,000-node workflow.
function promiseData(b: Extract<BindingSpec, { kind: "promise" }>): core.BindingData {
  const ref = create(core.OutputReferenceSchema);
  ref.nodeId = b.nodeId;
  ref.var = b.varName;
  if (b.attrPath?.length) {
    ref.attrPath = b.attrPath.map((a) =>
      create(core.PromiseAttributeSchema, { value: typeof a === "number" ? { case: "intValue", value: a } : { case: "stringValue", value: a } }),
    );
  }
  const data = create(core.BindingDataSchema);
  data.value = { case: "promise", value: ref };
  return data;
}

function binding(v: string, data: core.BindingData): core.Binding {
  const b = create(core.BindingSchema);
  b.var = v;
  b.binding = data;
  return b;
}

async function bindingData(b: BindingSpec, refs: NodeRefs): Promise<core.BindingData> {
  switch (b.kind) {
    case "promise":
      return promiseData(b);
    case "value":
      return scalarOrLiteral(await refs.constant(b.value, b.schema, b.path));
    case "literal":
      return scalarOrLiteral(b.literal);
    case "collection":
      return create(core.BindingDataSchema, {
        value: { case: "collection", value: create(core.BindingDataCollectionSchema, { bindings: await Promise.all(b.items.map((i) => bindingData(i, refs))) }) },
      });
  }
}

/** Constants are bound as BindingData: scalars directly, collections and maps element by element (as flytekit does). */
function scalarOrLiteral(l: core.Literal): core.BindingData {
  switch (l.value.case) {
    case "scalar":
      return create(core.BindingDataSchema, { value: { case: "scalar", value: l.value.value } });
    case "collection":
      return create(core.BindingDataSchema, {
        value: { case: "collection", value: create(core.BindingDataCollectionSchema, { bindings: l.value.value.literals.map(scalarOrLiteral) }) },
      });
    case "map":
      return create(core.BindingDataSchema, {
        value: {
          case: "map",
          value: create(core.BindingDataMapSchema, { bindings: Object.fromEntries(Object.entries(l.value.value.literals).map(([k, v]) => [k, scalarOrLiteral(v)])) }),
        },
      });
    default:
      throw new DefinitionError(`a ${l.value.case ?? "empty"} literal cannot be bound as a constant`);
  }
}

export async function bindings(inputs: Record<string, BindingSpec>, refs: NodeRefs): Promise<core.Binding[]> {
  const names = Object.keys(inputs).sort();
  // Promises (almost every binding of a large workflow) need no constant conversion: built without awaiting.
  if (names.every((v) => inputs[v]!.kind === "promise")) {
    return names.map((v) => binding(v, promiseData(inputs[v] as Extract<BindingSpec, { kind: "promise" }>)));
  }
  return Promise.all(names.map(async (v) => create(core.BindingSchema, { var: v, binding: await bindingData(inputs[v]!, refs) })));
}

/**
 * Node metadata and task overrides are the same message for every plain call of a task, so one instance per name
 * (per serializer) is shared by all such nodes: a 10,000-node chain would otherwise allocate 20,000 equal
 * messages. Nothing downstream (compiler, engine, encoding) modifies them.
 */
interface SharedParts {
  metadata: Map<string, core.NodeMetadata>;
  overrides?: core.TaskNodeOverrides;
}
const shared = new WeakMap<NodeRefs, SharedParts>();
function sharedParts(refs: NodeRefs): SharedParts {
  let p = shared.get(refs);
  if (!p) shared.set(refs, (p = { metadata: new Map() }));
  return p;
}

function isPlain(o: NodeOverrides): boolean {
  return o.name === undefined && o.retries === undefined && o.timeout === undefined && o.interruptible === undefined && o.cache === undefined;
}

function sharedMetadata(name: string, o: NodeOverrides, refs: NodeRefs): core.NodeMetadata {
  if (!isPlain(o)) return nodeMetadata(name, o);
  const m = sharedParts(refs).metadata;
  let md = m.get(name);
  if (!md) m.set(name, (md = nodeMetadata(name, o)));
  return md;
}

function sharedTaskOverrides(o: NodeOverrides, where: string, refs: NodeRefs): core.TaskNodeOverrides {
  if (o.resources || o.image !== undefined) return taskOverrides(o, where);
  const p = sharedParts(refs);
  return (p.overrides ??= taskOverrides(o, where));
}

function nodeMetadata(name: string, o: NodeOverrides): core.NodeMetadata {
  return create(core.NodeMetadataSchema, {
    name: o.name ?? name,
    ...(o.retries !== undefined ? { retries: create(core.RetryStrategySchema, { retries: o.retries }) } : {}),
    ...(o.timeout !== undefined ? { timeout: durationFromMilliseconds(o.timeout) } : {}),
    ...(o.interruptible !== undefined ? { interruptibleValue: { case: "interruptible" as const, value: o.interruptible } } : {}),
    ...(o.cache !== undefined ? { cacheableValue: { case: "cacheable" as const, value: o.cache } } : {}),
  });
}

function taskOverrides(o: NodeOverrides, where: string): core.TaskNodeOverrides {
  return create(core.TaskNodeOverridesSchema, {
    ...(o.resources ? { resources: resources(o.resources, where) } : {}),
    containerImage: o.image ?? "",
  });
}

const operators: Record<string, core.ComparisonExpression_Operator> = {
  EQ: core.ComparisonExpression_Operator.EQ,
  NEQ: core.ComparisonExpression_Operator.NEQ,
  GT: core.ComparisonExpression_Operator.GT,
  GTE: core.ComparisonExpression_Operator.GTE,
  LT: core.ComparisonExpression_Operator.LT,
  LTE: core.ComparisonExpression_Operator.LTE,
};


async function operand(side: Ref<unknown> | { constant: unknown }, schema: Schema<unknown>, refs: NodeRefs, where: string): Promise<core.Operand> {
  if (side instanceof Ref) return create(core.OperandSchema, { val: { case: "var", value: operandVar(side) } });
  const l = await refs.constant(side.constant, schema, where);
  const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
  if (sv?.case !== "primitive") throw new DefinitionError(`${where}: conditions compare primitives (numbers, strings, booleans, datetimes, durations)`);
  return create(core.OperandSchema, { val: { case: "primitive", value: sv.value } });
}

async function booleanExpression(t: ConditionTree, refs: NodeRefs, where: string): Promise<core.BooleanExpression> {
  if (t.kind === "compare") {
    const comparison = create(core.ComparisonExpressionSchema, {
      operator: operators[t.op]!,
      leftValue: await operand(t.left, t.schema, refs, where),
      rightValue: await operand(t.right, t.schema, refs, where),
    });
    return create(core.BooleanExpressionSchema, { expr: { case: "comparison", value: comparison } });
  }
  const conjunction = create(core.ConjunctionExpressionSchema, {
    operator: t.kind === "and" ? core.ConjunctionExpression_LogicalOperator.AND : core.ConjunctionExpression_LogicalOperator.OR,
    leftExpression: await booleanExpression(t.left, refs, where),
    rightExpression: await booleanExpression(t.right, refs, where),
  });
  return create(core.BooleanExpressionSchema, { expr: { case: "conjunction", value: conjunction } });
}

export async function toCoreNode(n: GraphNode, refs: NodeRefs): Promise<core.Node> {
  const base = {
    id: n.id,
    inputs: await bindings(n.inputs, refs),
    upstreamNodeIds: [...n.upstream].sort(),
  };
  const t = n.target;
  switch (t.kind) {
    case "task": {
      const { id, shortName } = await refs.task(t.task);
      const taskNode = create(core.TaskNodeSchema);
      taskNode.reference = { case: "referenceId", value: id };
      taskNode.overrides = sharedTaskOverrides(n.overrides, `node ${n.id}`, refs);
      const node = create(core.NodeSchema);
      node.id = base.id;
      node.inputs = base.inputs;
      node.upstreamNodeIds = base.upstreamNodeIds;
      node.metadata = sharedMetadata(shortName, n.overrides, refs);
      node.target = { case: "taskNode", value: taskNode };
      return node;
    }
    case "workflow":
    case "launchPlan": {
      const { id, shortName } = t.kind === "workflow" ? await refs.workflow(t.workflow) : await refs.launchPlan(t.launchPlan);
      const reference = t.kind === "workflow" ? { case: "subWorkflowRef" as const, value: id } : { case: "launchplanRef" as const, value: id };
      return create(core.NodeSchema, {
        ...base,
        metadata: nodeMetadata(shortName, n.overrides),
        target: { case: "workflowNode", value: create(core.WorkflowNodeSchema, { reference }) },
      });
    }
    case "branch": {
      const blocks = await Promise.all(
        t.cases.map(async (c, i) =>
          create(core.IfBlockSchema, { condition: await booleanExpression(c.condition.tree, refs, `node ${n.id} case ${i}`), thenNode: await toCoreNode(c.node, refs) }),
        ),
      );
      const [first, ...others] = blocks;
      const ifElse = create(core.IfElseBlockSchema, {
        case: first,
        other: others,
        default: t.elseNode
          ? { case: "elseNode", value: await toCoreNode(t.elseNode, refs) }
          : { case: "error", value: create(core.ErrorSchema, { failedNodeId: n.id, message: t.error ?? "no branch matched" }) },
      });
      return create(core.NodeSchema, {
        ...base,
        metadata: nodeMetadata(n.overrides.name ?? n.id, n.overrides),
        target: { case: "branchNode", value: create(core.BranchNodeSchema, { ifElse }) },
      });
    }
    case "array": {
      const { id, shortName } = await refs.mappedTask(t.task, t.bound);
      const sub = create(core.NodeSchema, {
        id: `${n.id}-sub`,
        metadata: nodeMetadata(shortName, n.overrides),
        inputs: base.inputs,
        target: { case: "taskNode", value: create(core.TaskNodeSchema, { reference: { case: "referenceId", value: id }, overrides: taskOverrides(n.overrides, `node ${n.id}`) }) },
      });
      const arrayNode = create(core.ArrayNodeSchema, {
        node: sub,
        ...(t.parallelism !== undefined ? { parallelismOption: { case: "parallelism" as const, value: t.parallelism } } : {}),
        successCriteria:
          t.minSuccesses !== undefined
            ? { case: "minSuccesses", value: t.minSuccesses }
            : { case: "minSuccessRatio", value: t.minSuccessRatio ?? 1 },
        boundInputs: t.bound,
      });
      return create(core.NodeSchema, { ...base, metadata: nodeMetadata(`map_${shortName}`, n.overrides), target: { case: "arrayNode", value: arrayNode } });
    }
    case "gate": {
      const g = t.gate;
      const condition: core.GateNode["condition"] =
        g.kind === "sleep"
          ? { case: "sleep", value: create(core.SleepConditionSchema, { duration: durationFromMilliseconds(g.durationMs) }) }
          : g.kind === "approve"
            ? { case: "approve", value: create(core.ApproveConditionSchema, { signalId: g.signalId }) }
            : { case: "signal", value: create(core.SignalConditionSchema, { signalId: g.signalId, type: g.schema.literalType(), outputVariableName: g.outputName }) };
      return create(core.NodeSchema, {
        ...base,
        metadata: nodeMetadata(n.overrides.name ?? n.id, n.overrides),
        target: { case: "gateNode", value: create(core.GateNodeSchema, { condition }) },
      });
    }
  }
}

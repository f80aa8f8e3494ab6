// Conditionals: `when(cond).then(() => a(...)).elseIf(cond2, () => b(...)).else(() => c(...) | fail("…"))`.
// Each case must add exactly one node (Flyte's IfBlock holds one node; use a sub-workflow for more). The result
// has the shape of the first case's result, with promises pointing at the branch node.
import { GraphBuilder, currentBuilder, withBuilder } from "./builder.ts";
import type { NodeHandle } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import type { BranchCase, GraphNode } from "./graph.ts";
import { Condition, operandVar, Ref } from "./promise.ts";
import type { SchemaMap } from "./types/schema.ts";

const FAILURE = Symbol("aloft.fail");

/** The else-case of a branch that fails the workflow with `message`. */
export function fail(message: string): never {
  return { [FAILURE]: message } as never;
}

function failureMessage(x: unknown): string | undefined {
  return typeof x === "object" && x !== null && FAILURE in x ? String((x as Record<symbol, unknown>)[FAILURE]) : undefined;
}

type CaseFn<R> = () => R;

/** Rewrites a case result so its promises point at the branch node. */
type Rebound<R> = R extends Ref<infer T> ? Ref<T> : R extends NodeHandle ? NodeHandle : { readonly [K in keyof R]: R[K] };

export class Branch<R> {
  readonly #cases: { condition: Condition; fn: CaseFn<R> }[];

  /** @internal use `when` */
  constructor(cases: { condition: Condition; fn: CaseFn<R> }[]) {
    this.#cases = cases;
  }

  elseIf(condition: Condition, fn: CaseFn<R>): Branch<R> {
    if (!(condition instanceof Condition)) throw new DefinitionError("elseIf(...) takes a condition such as x.gt(3)");
    return new Branch([...this.#cases, { condition, fn }]);
  }

  /** Closes the branch; `fn` may return `fail("message")` to fail the workflow when no case matched. */
  else(fn: CaseFn<R>): Rebound<R> {
    const outer = currentBuilder("when(...).else(...)");
    const id = outer.nextId();
    // One id counter for all cases: the compiler prefixes inner ids with the branch id, so they must differ.
    const inner = new GraphBuilder("", `branch ${id}`);
    const runCase = (f: CaseFn<R>, which: string): { node?: GraphNode; result: unknown; failure?: string } => {
      const before = inner.nodes.length;
      const result = withBuilder(inner, f);
      const failure = failureMessage(result);
      const added = inner.nodes.slice(before);
      if (failure !== undefined) {
        if (added.length) throw new DefinitionError(`branch ${id} ${which}: fail(...) must be the only thing the case does`);
        return { result, failure };
      }
      if (added.length !== 1) {
        throw new DefinitionError(`branch ${id} ${which} must call exactly one task, workflow or launch plan (it made ${added.length}); wrap several in a sub-workflow`);
      }
      return { node: added[0]!, result };
    };
    const cases: BranchCase[] = [];
    let first: { node?: GraphNode; result: unknown } | undefined;
    this.#cases.forEach((c, i) => {
      const r = runCase(c.fn, i === 0 ? "then-case" : `elseIf-case ${i}`);
      if (!r.node) throw new DefinitionError(`branch ${id}: only the else-case may fail(...)`);
      cases.push({ condition: c.condition, node: r.node });
      first ??= r;
    });
    const e = runCase(fn, "else-case");
    const firstNode = first!.node!;
    const outputs: SchemaMap = firstNode.outputs;
    for (const c of [...cases.map((c) => c.node), ...(e.node ? [e.node] : [])]) {
      for (const k of Object.keys(outputs)) {
        if (!(k in c.outputs)) throw new DefinitionError(`branch ${id}: every case must produce output "${k}" (node ${c.id} does not)`);
      }
    }
    // The branch reads the promises its conditions compare, and waits for whatever its cases read.
    const inputs: GraphNode["inputs"] = {};
    const upstream = new Set<string>();
    for (const c of cases) {
      for (const r of c.condition.refs()) {
        inputs[operandVar(r)] = { kind: "promise", nodeId: r.nodeId, varName: r.varName, ...(r.attrPath.length ? { attrPath: r.attrPath } : {}) };
        if (r.nodeId !== "start-node") upstream.add(r.nodeId);
      }
    }
    for (const n of [...cases.map((c) => c.node), ...(e.node ? [e.node] : [])]) for (const u of n.upstream) upstream.add(u);
    outer.add({
      id,
      target: { kind: "branch", cases, ...(e.node ? { elseNode: e.node } : { error: e.failure! }) },
      inputs,
      upstream,
      overrides: {},
      outputs,
    });
    return rebind(first!.result, id) as Rebound<R>;
  }
}

function rebind(result: unknown, nodeId: string): unknown {
  if (result instanceof Ref) return new Ref(nodeId, result.varName, result.schema);
  if (typeof result === "object" && result !== null) {
    if ("nodeId" in result && Object.keys(result).length === 1) return { nodeId };
    return Object.freeze(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v instanceof Ref ? new Ref(nodeId, v.varName, v.schema) : v])));
  }
  return { nodeId };
}

export interface When {
  then<R>(fn: CaseFn<R>): Branch<R>;
}

/** Starts a conditional on `condition` (built from promises: `x.gt(3)`, `x.eq("a").and(y.isTrue())`). */
export function when(condition: Condition): When {
  if (!(condition instanceof Condition)) throw new DefinitionError("when(...) takes a condition such as x.gt(3)");
  return { then: <R>(fn: CaseFn<R>) => new Branch<R>([{ condition, fn }]) };
}

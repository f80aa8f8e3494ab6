// The compilation state: while a workflow function runs, calls to tasks add nodes to the innermost builder
// (flytekit's CompilationState). Branch cases and dynamic workflows push their own builders.
import { DefinitionError } from "./errors.ts";
import type { GraphNode } from "./graph.ts";

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  #count = 0;

  constructor(
    /** Prefix of node ids made here, e.g. "" for a workflow, "n2-c0-" inside a branch case. */
    readonly prefix: string,
    /** What the builder records, for error messages. */
    readonly label: string,
  ) {}

  nextId(): string {
    return `${this.prefix}n${this.#count++}`;
  }

  add(node: GraphNode): void {
    this.nodes.push(node);
  }
}

const stack: GraphBuilder[] = [];

export function currentBuilder(what: string): GraphBuilder {
  const b = stack[stack.length - 1];
  if (!b) {
    throw new DefinitionError(
      `${what} was called outside a workflow. Inside a workflow function a call adds a node; to run a task directly, ` +
        `call its function (\`myTask.fn(inputs)\`) or use runTask/runWorkflow from @aloft/sdk`,
    );
  }
  return b;
}

export function isBuilding(): boolean {
  return stack.length > 0;
}

/** Runs `fn` with `builder` as the current one. Workflow functions must be synchronous: they describe, not run. */
export function withBuilder<R>(builder: GraphBuilder, fn: () => R): R {
  stack.push(builder);
  try {
    const r = fn();
    if (r instanceof Promise) {
      r.catch(() => {});
      throw new DefinitionError(`${builder.label}: the function must be synchronous (it describes the graph; tasks do the work), but it returned a Promise`);
    }
    return r;
  } finally {
    stack.pop();
  }
}

// The definitions an execution can reach: its tasks and sub-workflows by identifier, gathered from
// a compiled closure (and extended by each dynamic workflow's own closure).
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

export function identifierKey(id: core.Identifier | undefined): string {
  if (!id) return "<none>";
  return `${id.project}/${id.domain}/${id.name}@${id.version}`;
}

export class Scope {
  readonly tasks = new Map<string, core.TaskTemplate>();
  readonly workflows = new Map<string, core.CompiledWorkflow>();

  constructor(parent?: Scope) {
    if (parent) {
      for (const [k, v] of parent.tasks) this.tasks.set(k, v);
      for (const [k, v] of parent.workflows) this.workflows.set(k, v);
    }
  }

  static fromClosure(closure: core.CompiledWorkflowClosure, parent?: Scope): Scope {
    const scope = new Scope(parent);
    closure.tasks.forEach((t, i) => {
      if (!t.template) throw new InvalidArgumentError(`closure.tasks[${i}].template`, "is missing");
      scope.tasks.set(identifierKey(t.template.id), t.template);
    });
    for (const w of [closure.primary, ...closure.subWorkflows]) {
      if (w?.template) scope.workflows.set(identifierKey(w.template.id), w);
    }
    return scope;
  }

  // Nodes calling one task usually share its identifier message: found again without building the key string.
  readonly #taskById = new WeakMap<core.Identifier, core.TaskTemplate>();

  task(id: core.Identifier | undefined, field: string): core.TaskTemplate {
    const known = id && this.#taskById.get(id);
    if (known) return known;
    const t = this.tasks.get(identifierKey(id));
    if (!t) throw new InvalidArgumentError(field, `task ${identifierKey(id)} is not in the closure`);
    if (id) this.#taskById.set(id, t);
    return t;
  }

  workflow(id: core.Identifier | undefined, field: string): core.CompiledWorkflow {
    const w = this.workflows.get(identifierKey(id));
    if (!w) throw new InvalidArgumentError(field, `sub-workflow ${identifierKey(id)} is not in the closure`);
    return w;
  }
}

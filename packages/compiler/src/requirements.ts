// The tasks and launch plans a workflow needs before it can be compiled (flytepropeller/pkg/compiler/requirements.go).
import type { core } from "@aloft/idl";
import { ErrorCodes as C, ErrorScope } from "./errors.ts";
import { formatId, IdentifierSet, idKey } from "./identifier.ts";
import { guardDepth } from "./guard.ts";
import { failed, ok, type Result } from "./result.ts";

export interface WorkflowRequirements {
  /** Referenced task ids, de-duplicated and sorted by (resource type, project, domain, name, version). */
  taskIds: core.Identifier[];
  /** Referenced launch plan ids, sorted the same way. */
  launchPlanIds: core.Identifier[];
}

export class RequirementsCollector {
  readonly tasks = new IdentifierSet();
  readonly launchPlans = new IdentifierSet();
  // Guards against a sub-workflow that (indirectly) references itself.
  private readonly visiting = new Set<string>();

  constructor(
    private readonly subWorkflows: ReadonlyMap<string, core.WorkflowTemplate>,
    private readonly followSubWorkflows: boolean,
    private readonly errs: ErrorScope,
  ) {}

  addWorkflow(wf: core.WorkflowTemplate): void {
    for (const n of wf.nodes) this.addNode(n);
    if (wf.failureNode) this.addNode(wf.failureNode);
  }

  addNode(node: core.Node | undefined): void {
    if (node === undefined) return;
    const t = node.target;
    if (t.case === "taskNode") {
      if (t.value.reference.case === "referenceId") this.tasks.add(t.value.reference.value);
    } else if (t.case === "workflowNode") {
      const ref = t.value.reference;
      if (ref.case === "launchplanRef") this.launchPlans.add(ref.value);
      else if (ref.case === "subWorkflowRef" && this.followSubWorkflows) {
        const key = idKey(ref.value);
        const sub = this.subWorkflows.get(key);
        if (sub === undefined) {
          this.errs.collect(C.WorkflowReferenceNotFound, node.id, `Referenced Workflow [${formatId(ref.value)}] not found.`);
        } else if (!this.visiting.has(key)) {
          this.visiting.add(key);
          this.addWorkflow(sub);
          this.visiting.delete(key);
        }
      }
    } else if (t.case === "branchNode") {
      const ifElse = t.value.ifElse;
      this.addNode(ifElse?.case?.thenNode);
      for (const other of ifElse?.other ?? []) this.addNode(other.thenNode);
      if (ifElse?.default.case === "elseNode") this.addNode(ifElse.default.value);
    } else if (t.case === "arrayNode") {
      this.addNode(t.value.node);
    }
  }

  result(): WorkflowRequirements {
    return { taskIds: this.tasks.list(), launchPlanIds: this.launchPlans.list() };
  }
}

/** Indexes sub-workflows by id, reporting missing and duplicate ids. */
export function indexSubWorkflows(
  subWorkflows: readonly core.WorkflowTemplate[],
  errs: ErrorScope,
): Map<string, core.WorkflowTemplate> | undefined {
  const index = new Map<string, core.WorkflowTemplate>();
  let good = true;
  for (const wf of subWorkflows) {
    if (wf?.id === undefined) {
      errs.collect(C.ValueRequired, "root", "Value required [SubWorkflow.Id].");
      return undefined;
    }
    const key = idKey(wf.id);
    if (index.has(key)) {
      errs.collect(C.DuplicateNodeID, formatId(wf.id), "Trying to insert two nodes with the same id.");
      good = false;
    } else index.set(key, wf);
  }
  return good ? index : undefined;
}

/**
 * Lists the task and launch plan ids `template` references, following sub-workflow nodes into `subWorkflows`.
 * A sub-workflow reference that is not among `subWorkflows` is skipped here; compileWorkflow reports it.
 */
export function getRequirements(
  template: core.WorkflowTemplate,
  subWorkflows: readonly core.WorkflowTemplate[] = [],
): Result<WorkflowRequirements> {
  return guardDepth(() => requirementsUnguarded(template, subWorkflows));
}

function requirementsUnguarded(template: core.WorkflowTemplate, subWorkflows: readonly core.WorkflowTemplate[]): Result<WorkflowRequirements> {
  const errs = ErrorScope.root();
  if (template === undefined || template === null) {
    errs.collect(C.ValueRequired, "root", "Value required [wf].");
    return failed(errs.list());
  }
  const index = indexSubWorkflows(subWorkflows, errs);
  if (index === undefined) return failed(errs.list());
  const collector = new RequirementsCollector(index, true, ErrorScope.root());
  collector.addWorkflow(template);
  return ok(collector.result());
}

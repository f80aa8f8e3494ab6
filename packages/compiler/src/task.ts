// Task compilation (flytepropeller/pkg/compiler/task_compiler.go): checks a TaskTemplate is well formed and wraps
// it as a CompiledTask. The template itself is returned unchanged (as a copy).
import { clone, create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { ErrorCodes as C, ErrorScope } from "./errors.ts";
import { isValidQuantity } from "./quantity.ts";
import { guardDepth } from "./guard.ts";
import { failed, ok, type Result } from "./result.ts";

function validateResources(resources: core.Resources, errs: ErrorScope): void {
  for (const entry of [...resources.requests, ...resources.limits]) {
    if (!isValidQuantity(entry.value)) {
      const name = core.Resources_ResourceName[entry.name] ?? String(entry.name);
      errs.collect(C.UnrecognizedValue, `resources.${name}`, `Unrecognized value [${entry.value}].`);
    }
  }
}

function validateContainer(task: core.TaskTemplate, container: core.Container, errs: ErrorScope): void {
  const hasInputs = Object.keys(task.interface?.inputs?.variables ?? {}).length > 0;
  const hasOutputs = Object.keys(task.interface?.outputs?.variables ?? {}).length > 0;
  // A task that reads inputs or writes outputs must say how to run it.
  if ((hasInputs || hasOutputs) && container.command.length === 0 && container.args.length === 0) {
    errs.collect(C.ValueRequired, "container", "Value required [command].");
  }
  if (container.image === "") errs.collect(C.ValueRequired, "container", "Value required [image].");
  if (container.resources) validateResources(container.resources, errs.scope());
}

// Kubernetes container names are RFC 1123 labels.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function validateK8sPod(pod: core.K8sPod, errs: ErrorScope): void {
  const spec = pod.podSpec;
  if (spec === undefined) {
    errs.collect(C.InvalidValue, "root", "Invalid value [k8s pod spec].");
    return;
  }
  const containers = spec["containers"];
  if (containers === undefined || containers === null) return;
  if (!Array.isArray(containers) || !containers.every(isObject)) {
    errs.collect(C.InvalidValue, "root", "Invalid value [k8s pod spec].");
    return;
  }
  for (const c of containers) {
    const name = c["name"] ?? "";
    if (typeof name !== "string") {
      errs.collect(C.InvalidValue, "root", "Invalid value [k8s pod spec].");
    } else if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      errs.collect(C.InvalidValue, "root", "Invalid value [k8s pod spec container name].");
    }
  }
}

/** Validates `task` into `errs`; shared by compileTask and the dynamic-job compiler. */
export function validateTask(task: core.TaskTemplate, errs: ErrorScope): void {
  if (task.id === undefined) errs.collect(C.ValueRequired, "root", "Value required [Id].");
  const target = task.target;
  if (target.case === "container") validateContainer(task, target.value, errs.scope());
  else if (target.case === "k8sPod") validateK8sPod(target.value, errs.scope());
}

/**
 * Compiles a task template: requires an id, and for container tasks an image, a command when the interface has
 * inputs or outputs, and valid resource quantities; pod tasks need a pod spec with valid container names.
 */
export function compileTask(template: core.TaskTemplate): Result<core.CompiledTask> {
  return guardDepth(() => compileTaskUnguarded(template));
}

function compileTaskUnguarded(template: core.TaskTemplate): Result<core.CompiledTask> {
  const errs = ErrorScope.root();
  if (template === undefined || template === null) {
    // Flyte's CompileTask(nil) finds no id (and no target), so that is what it reports.
    errs.collect(C.ValueRequired, "root", "Value required [Id].");
    return failed(errs.list());
  }
  validateTask(template, errs);
  if (errs.hasErrors()) return failed(errs.list());
  return ok(create(core.CompiledTaskSchema, { template: clone(core.TaskTemplateSchema, template) }));
}

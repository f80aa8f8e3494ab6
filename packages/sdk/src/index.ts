// Public surface of @aloft/sdk.
export { t } from "./types/t.ts";
export type { Schema, Infer, SchemaMap, ValuesOf, TransformContext } from "./types/schema.ts";
export type { Int, Float } from "./types/number-types.ts";
export type { BlobIO } from "./types/blob-io.ts";
export { FlyteFile } from "./types/file.ts";
export { FlyteDirectory } from "./types/directory.ts";
export { StructuredDataset, tableToParquet, parquetToTable } from "./types/structured-dataset.ts";
export { registerType, unregisterType, schemaFor, type CustomType } from "./types/registry.ts";
export { task, TYPESCRIPT_TASK_TYPE, runtimeArgs, type TaskDef, type TaskOptions, type TaskContext, type TaskFn } from "./task.ts";
export { dynamic } from "./dynamic.ts";
export { workflow, isWorkflow, type WorkflowDef, type WorkflowOptions, type WorkflowInputs } from "./workflow.ts";
export { launchPlan, isLaunchPlan, type LaunchPlanDef, type LaunchPlanOptions, type Schedule } from "./launch-plan.ts";
export { when, fail, Branch } from "./condition.ts";
export { interfaceMismatches, registeredFromTyped, registeredFromLaunchPlan, type RegisteredInterface } from "./reference-check.ts";
export { referenceTask, referenceWorkflow, referenceLaunchPlan, isReference, type ReferenceOptions, type ReferenceTaskDef, type ReferenceWorkflowDef, type ReferenceLaunchPlanDef } from "./reference.ts";
export { map, type MapOptions } from "./map-task.ts";
export { sleep, approve, waitForInput } from "./gate.ts";
export { Ref, Condition, START_NODE } from "./promise.ts";
export { isTaskEntity, type TaskEntity, type TaskCommonOptions, type CacheOptions, type SecretRequest } from "./task-entity.ts";
export type { CallOptions, NodeOverrides, Resources, ResourceSpec, NodeHandle, OutputDecl } from "./entity.ts";
export { Serializer, DEFAULT_IMAGE, type SerializeSettings } from "./serialize/serializer.ts";
export { TypeMismatchError, DefinitionError, SerializationError, TaskFailure, RecoverableError } from "./errors.ts";
export { typescriptRuntimeUrl } from "./runtime/url.ts";
export { executeTask, type ExecuteRequest, type ExecuteResponse } from "./runtime/execute.ts";
export { codeBundleEntry, ensureCodeBundle, type BundledModule } from "./runtime/code-bundle.ts";
export { aloftTaskMain } from "./runtime/aloft-task-main.ts";
export { runTask, type TaskOutcome, type TaskError } from "./runtime/run-task.ts";
export { SecretNotFoundError, type TaskSecrets } from "./runtime/secrets.ts";
export { blobIO } from "./runtime/blob-io.ts";
export { runWorkflow, inputLiterals, WorkflowFailedError, type RunOptions, type RunResult } from "./local/run.ts";
export { InProcessTaskPlugin, type MockFn } from "./local/in-process-plugin.ts";
export { MemoryBlobs } from "./local/memory-store.ts";
export { inputFlags, parseInputs, describeInputs, InputError } from "./local/cli-inputs.ts";
export { loadWorkflowModule, pickWorkflow, type LoadedModule } from "./local/load-module.ts";
export { progressSink, nodeLabels, mapItemLabel } from "./local/progress.ts";
export { containerTask, RAW_CONTAINER_TASK_TYPE, type ContainerTaskOptions, type ContainerTaskDef } from "./container-task.ts";
export { shellTask, type ShellTaskOptions } from "./shell-task.ts";
export { rawContainerPlugin, type RawContainerPluginOptions } from "./local/raw-container-plugin.ts";
export { runTaskLocally } from "./local/testing.ts";
export { localCatalog, DiskCatalogStorage } from "./local/disk-cache.ts";
export {
  flyte,
  TaskEnvironment,
  environmentOf,
  isFlyte2Task,
  trace,
  group,
  mapCalls,
  ActionFailedError,
  CallOutsideTaskError,
  runTaskTree,
  taskWorkflow,
  reachableTasks,
  type TaskEnvironmentOptions,
  type EnvironmentTaskOptions,
  type Flyte2Task,
  type TaskInputs,
  type TaskOverrides,
  type MapCallOptions,
} from "./v2/index.ts";

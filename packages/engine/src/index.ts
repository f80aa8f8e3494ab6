// Public surface of @aloft/engine.
export { openDatabase, type Database, type OpenDatabaseOptions } from "./db/database.ts";
export { migrate, type Migration } from "./db/migrations.ts";
export { engineMigrations } from "./store/migrations.ts";
export * from "./errors.ts";
export type { PauseListener } from "./runtime/executor.ts";
export {
  createEngine,
  type Engine,
  type EngineStats,
  type EngineOptions,
  type ExecutionOptions,
  type CreateExecutionRequest,
  type ExecutionResult,
} from "./engine.ts";
export type { TaskPlugin, TaskExecutionContext, TaskResult, TaskFailure, TaskLogSink, ChildActions, ChildCall, ChildOutcome } from "./plugins/plugin.ts";
export { localProcessPlugin, ARRAY_INDEX_VAR, type LocalProcessPluginOptions } from "./plugins/local-process.ts";
export { withLocalBlobPaths } from "./plugins/local-paths.ts";
export { checkTaskEnvAllow, DEFAULT_TASK_ENV_ALLOW } from "./plugins/task-env.ts";
export type { BlobStore } from "./runtime/blob-store.ts";
export { MemoryBlobStore } from "./runtime/memory-blob-store.ts";
export type { LaunchPlanResolver } from "./runtime/services.ts";
export type { EventSink } from "./events/sink.ts";
export { TASK_OUTPUT_LOG } from "./events/builder.ts";
export type { Catalog, CacheLookup, CacheSource, Reservation, SourceTaskExecution } from "./catalog/catalog.ts";
export { entryFromJson, entryToJson, keyFromJson, type CacheEntryJson, type CacheKeyJson } from "./catalog/wire.ts";
export type { ActionRecord, AttemptRecord, ExecutionRecord, ExecutionFailure, Phase } from "./model/action.ts";
export { DataCatalog } from "./catalog/catalog-impl.ts";
export { cacheKey, explainMiss, signatureHash, type CacheKey } from "./catalog/key.ts";
export { MemoryCatalogStorage } from "./catalog/memory-storage.ts";
export { SqlCatalogStorage, catalogMigrations } from "./catalog/sql-storage.ts";
export type { CatalogStorage, CacheEntry } from "./catalog/storage.ts";
export { TypeScriptPlugin, ALOFT_TASK_COMMAND, type TypeScriptPluginOptions } from "./plugins/typescript.ts";
export { renderArgs, type TemplateParameters } from "./plugins/template.ts";
export { nodeEventVerdict, workflowEventVerdict, type EventVerdict } from "./events/ordering.ts";
export { rawContainerPlugin, type RawContainerPluginOptions } from "./plugins/raw-container.ts";
export { acceptsPipelinedStatements } from "./db/pglite-dialect.ts";
export { columnArrays, unnestOf, upsertSql, type ColumnType, type Columns, type UpsertShape } from "./db/bulk.ts";
export { StoreFaultError, classifyFault, isStoreFault, asStoreFault, type StoreFaultCode } from "./db/faults.ts";
export { DatabaseHealth, type QueryObserver } from "./db/health.ts";
export { withStoreFaults } from "./runtime/blob-faults.ts";
export type { KubernetesPluginOptions } from "./plugins/kubernetes/plugin.ts";
export { loadKubernetesPodPlugin } from "./plugins/kubernetes/load.ts";
export { parseKubernetesConfig, defaultKubernetesConfig, type KubernetesConfig } from "./plugins/kubernetes/config.ts";

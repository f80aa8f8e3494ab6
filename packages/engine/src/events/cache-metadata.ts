// A task node's cache use as Flyte reports it (`event.TaskNodeMetadata.cache_status` and `catalog_key`): the
// catalog key named as flytepropeller names a datacatalog entry (dataset `flyte_task-<task name>` at version
// `<cache version>-<interface hash>`, artifact tag `flyte_cached-<inputs hash>`) and the task execution that
// computed it.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { CacheRecord } from "../nodes/task-cache.ts";

const STATUS: Record<string, core.CatalogCacheStatus> = {
  HIT: core.CatalogCacheStatus.CACHE_HIT,
  MISS: core.CatalogCacheStatus.CACHE_MISS,
  POPULATED: core.CatalogCacheStatus.CACHE_POPULATED,
  SKIPPED: core.CatalogCacheStatus.CACHE_SKIPPED,
  // The status older engine states recorded for overwrite_cache.
  OVERWRITE: core.CatalogCacheStatus.CACHE_SKIPPED,
  PUT_FAILURE: core.CatalogCacheStatus.CACHE_PUT_FAILURE,
};

/** The node's cache status; a task node that does not use the catalog is CACHE_DISABLED, as in flytepropeller. */
export function cacheStatus(cache: Pick<CacheRecord, "status"> | undefined): core.CatalogCacheStatus {
  return cache ? (STATUS[cache.status] ?? core.CatalogCacheStatus.CACHE_DISABLED) : core.CatalogCacheStatus.CACHE_DISABLED;
}

export function catalogMetadata(cache: CacheRecord | undefined): core.CatalogMetadata | undefined {
  const k = cache?.key;
  if (!k) return undefined;
  const [project = "", domain = "", ...name] = k.task.split("/");
  const src = cache.source;
  return create(core.CatalogMetadataSchema, {
    datasetId: { resourceType: core.ResourceType.DATASET, project, domain, name: `flyte_task-${name.join("/")}`, version: `${k.version}-${k.signature}` },
    artifactTag: { artifactId: k.inputs, name: `flyte_cached-${k.inputs}` },
    ...(src
      ? {
          sourceExecution: {
            case: "sourceTaskExecution" as const,
            value: {
              taskId: { resourceType: core.ResourceType.TASK, ...src.task },
              nodeExecutionId: { nodeId: src.nodeId, executionId: src.execution },
              retryAttempt: src.retryAttempt,
            },
          },
        }
      : {}),
  });
}

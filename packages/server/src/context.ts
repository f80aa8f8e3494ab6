// What every handler receives: the database and the outside world (blob store, engine, clock), passed in so
// handlers stay plain functions that tests can drive against a real database.
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { core } from "@aloft/idl";
import type { CatalogStorage } from "@aloft/engine";
import type { BlobStore, DataLayout } from "@aloft/storage";
import type { AdminTables } from "./db/schema.ts";

export interface DomainConfig {
  id: string;
  name: string;
}

/** The execution engine as the control plane drives it. */
export interface ExecutionLauncher {
  launch(request: LaunchRequest): Promise<void>;
  terminate(id: core.WorkflowExecutionIdentifier, cause: string): Promise<void>;
  /** Delivers a gate node's signal value. */
  setSignal(id: core.WorkflowExecutionIdentifier, signalId: string, value: core.Literal): Promise<void>;
}

export interface LaunchRequest {
  id: core.WorkflowExecutionIdentifier;
  /** The compiled workflow to run (for a single-task execution, a one-node workflow). */
  closure: core.CompiledWorkflowClosure;
  inputs: core.LiteralMap;
  /** Where the inputs are stored, when they are not kept in the execution record (then undefined). */
  inputsUri: string | undefined;
  rawOutputPrefix: string;
  /** Execution settings the engine honours (0 / undefined: the engine's default). */
  maxParallelism: number;
  interruptible: boolean | undefined;
  overwriteCache: boolean;
}

export interface AdminContext {
  db: Kysely<AdminTables>;
  blobs: BlobStore;
  layout: DataLayout;
  launcher: ExecutionLauncher | undefined;
  domains: DomainConfig[];
  /** The engine's data catalog by key (`DataCatalog.byKey`), for the cache API; absent where no engine runs. */
  cache?: CatalogStorage;
  log: Logger;
  now(): Date;
  /** Version reported by GetVersion. */
  version: { version: string; build: string; buildTime: string };
}

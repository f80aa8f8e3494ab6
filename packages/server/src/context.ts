// What every handler receives: the database and the outside world (blob store, engine, clock), passed in so
// handlers stay plain functions that tests can drive against a real database.
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { core } from "@aloft/idl";
import type { AdminTables } from "./db/schema.ts";

export interface DomainConfig {
  id: string;
  name: string;
}

/** Blob storage as the control plane uses it: offloaded inputs and outputs, code bundles, signed URLs. */
export interface DataStore {
  /** Where raw data and offloaded literals live, e.g. `s3://bucket` or `file:///data/blobs`. */
  readonly root: string;
  writeLiteralMap(uri: string, map: core.LiteralMap): Promise<void>;
  /** Undefined when nothing was written at `uri`. */
  readLiteralMap(uri: string): Promise<core.LiteralMap | undefined>;
  signedUploadUrl(uri: string, options: { expiresInSeconds: number; contentMd5?: string }): Promise<string>;
  signedDownloadUrl(uri: string, options: { expiresInSeconds: number }): Promise<string>;
  exists(uri: string): Promise<boolean>;
}

/** The execution engine as the control plane drives it. */
export interface ExecutionLauncher {
  launch(request: LaunchRequest): Promise<void>;
  terminate(id: core.WorkflowExecutionIdentifier, cause: string): Promise<void>;
}

export interface LaunchRequest {
  id: core.WorkflowExecutionIdentifier;
  /** The compiled workflow to run (for a single-task execution, a one-node workflow). */
  closure: core.CompiledWorkflowClosure;
  inputs: core.LiteralMap;
  inputsUri: string;
  /** Node ids whose outputs are reused from an earlier execution (recover). */
  recoverFrom?: core.WorkflowExecutionIdentifier | undefined;
  rawOutputPrefix: string;
}

export interface AdminContext {
  db: Kysely<AdminTables>;
  data: DataStore;
  launcher: ExecutionLauncher | undefined;
  domains: DomainConfig[];
  log: Logger;
  now(): Date;
  /** Version reported by GetVersion. */
  version: { version: string; build: string; buildTime: string };
}

// What all task kinds (TypeScript function tasks, dynamic tasks, raw containers, shell scripts) share: the options
// Flyte keeps in TaskMetadata and the container, and how each turns into a TaskTemplate.
import type { core } from "@aloft/idl";
import type { Entity, Resources } from "./entity.ts";
import type { SchemaMap } from "./types/schema.ts";

export interface CacheOptions<InputName extends string = string> {
  /** Bump to invalidate earlier results (Flyte's cache_version). */
  version: string;
  /** Let only one execution compute a given key at a time; others wait for it (Flyte's cache_serialize). */
  serialize?: boolean;
  /** Inputs left out of the cache key. */
  ignoredInputs?: InputName[];
}

export interface SecretRequest {
  group: string;
  key?: string;
  /** How the secret reaches the task; Flyte's default lets the platform choose. */
  mountAs?: "env" | "file";
}

export interface TaskCommonOptions<InputName extends string = string> {
  /** Flyte name; defaults to `<module>.<exported name>`. */
  name?: string;
  description?: string;
  cache?: CacheOptions<InputName>;
  retries?: number;
  /** Milliseconds. */
  timeout?: number;
  interruptible?: boolean;
  resources?: Resources;
  secrets?: SecretRequest[];
  environment?: Record<string, string>;
  /** Container image; defaults to the project image given at registration. */
  image?: string;
}

/** Identity and placement a task gets at serialization time. */
export interface TemplateContext {
  id: core.Identifier;
  /** Module path relative to the project root, e.g. `examples/etl/etl.ts`. */
  modulePath: string;
  exportName: string;
  /** Image used when the task names none. */
  defaultImage: string;
  /** Code bundle (fast registration) the task runtime loads the module from. */
  codeBundle?: string | undefined;
}

export interface TaskEntity extends Entity {
  readonly entityKind: "task";
  /** Flyte task type, e.g. "typescript-task", "raw-container". */
  readonly taskType: string;
  readonly options: TaskCommonOptions;
  /** Whether the TaskTemplate needs the module and export name (tasks the Aloft runtime executes). */
  readonly needsModule: boolean;
  template(ctx: TemplateContext): core.TaskTemplate;
}

export function isTaskEntity(x: unknown): x is TaskEntity {
  return (typeof x === "function" || typeof x === "object") && x !== null && (x as { entityKind?: unknown }).entityKind === "task";
}

export function checkInputNames(inputs: SchemaMap, outputs: SchemaMap, what: string): void {
  for (const name of [...Object.keys(inputs), ...Object.keys(outputs)]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`${what}: "${name}" is not a valid input or output name (letters, digits and _; not starting with a digit)`);
    }
  }
}

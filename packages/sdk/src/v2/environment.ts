// `new TaskEnvironment({ name, image, resources, env, secrets, cache, retries, timeout })`: the settings a group of
// Flyte 2 tasks share (Flyte 2's flyte.TaskEnvironment). `env.task(...)` defines a task named `<env>.<name>`; a
// task's own options win over the environment's.
import { callerFile } from "../defined-in.ts";
import type { OutputDecl, Resources } from "../entity.ts";
import { DefinitionError } from "../errors.ts";
import { checkOptionKeys } from "../options.ts";
import type { TaskFn, TaskOptions } from "../task.ts";
import type { CacheOptions, SecretRequest, TaskEntity } from "../task-entity.ts";
import type { SchemaMap } from "../types/schema.ts";
import { flyte2Task, type Flyte2Task } from "./task.ts";

export interface TaskEnvironmentOptions {
  /** Prefix of its tasks' names: letters, digits, `_` and `-`. */
  name: string;
  description?: string;
  /** Container image of its tasks; defaults to the project image given at registration. */
  image?: string;
  resources?: Resources;
  /** Environment variables of its tasks. */
  env?: Record<string, string>;
  secrets?: SecretRequest[];
  /** Cache every task's results under this version (a task may say `cache: false`). */
  cache?: CacheOptions;
  retries?: number;
  /** Milliseconds, per attempt. */
  timeout?: number;
  interruptible?: boolean;
  /** Environments whose tasks this one's tasks call: they are deployed and run together. */
  dependsOn?: TaskEnvironment[];
}

const ENV_KEYS = ["name", "description", "image", "resources", "env", "secrets", "cache", "retries", "timeout", "interruptible", "dependsOn"] as const;
const TASK_KEYS = ["name", "description", "inputs", "outputs", "cache", "retries", "timeout", "interruptible", "resources", "secrets", "env", "image"] as const;

export interface EnvironmentTaskOptions<I extends SchemaMap, O extends OutputDecl> extends Omit<TaskOptions<I, O>, "name" | "cache" | "environment"> {
  /** The task's name in its environment; its Flyte name is `<environment>.<name>`. */
  name: string;
  /** A cache of its own, or false to opt out of the environment's. */
  cache?: CacheOptions<keyof I & string> | false;
  /** More environment variables (added to the environment's). */
  env?: Record<string, string>;
}

const environments = new WeakMap<TaskEntity, TaskEnvironment>();

/** The environment that defined a Flyte 2 task. */
export function environmentOf(task: TaskEntity): TaskEnvironment | undefined {
  return environments.get(task);
}

export class TaskEnvironment {
  readonly name: string;
  readonly #tasks: TaskEntity[] = [];

  constructor(readonly options: TaskEnvironmentOptions) {
    checkOptionKeys(options, ENV_KEYS, "TaskEnvironment");
    if (typeof options.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(options.name)) {
      throw new DefinitionError(`TaskEnvironment: name must be letters, digits, _ and - (got ${JSON.stringify(options.name)})`);
    }
    this.name = options.name;
  }

  task<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: EnvironmentTaskOptions<I, O>, fn: TaskFn<I, O>): Flyte2Task<I, O> {
    checkOptionKeys(options, TASK_KEYS, `task in environment ${this.name}`);
    if (typeof options.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.name)) {
      throw new DefinitionError(`environment ${this.name}: a task needs a name of letters, digits and _ (got ${JSON.stringify(options.name)})`);
    }
    const fullName = `${this.name}.${options.name}`;
    if (this.#tasks.some((t) => t.explicitName === fullName)) throw new DefinitionError(`environment ${this.name} already has a task named ${options.name}`);
    const e = this.options;
    const { env, cache, name: _name, ...rest } = options;
    const merged: TaskOptions<I, O> & { name: string } = {
      ...(e.image !== undefined ? { image: e.image } : {}),
      ...(e.resources !== undefined ? { resources: e.resources } : {}),
      ...(e.secrets !== undefined ? { secrets: e.secrets } : {}),
      ...(e.retries !== undefined ? { retries: e.retries } : {}),
      ...(e.timeout !== undefined ? { timeout: e.timeout } : {}),
      ...(e.interruptible !== undefined ? { interruptible: e.interruptible } : {}),
      ...rest,
      name: fullName,
    };
    const vars = { ...e.env, ...env };
    if (Object.keys(vars).length) merged.environment = vars;
    const c = cache === false ? undefined : (cache ?? e.cache);
    if (c) merged.cache = c as CacheOptions<keyof I & string>;
    const t = flyte2Task(this.name, merged, fn, callerFile());
    this.#tasks.push(t);
    environments.set(t, this);
    return t;
  }

  /** Its tasks and those of the environments it depends on (each once). */
  allTasks(seen = new Set<TaskEnvironment>()): TaskEntity[] {
    if (seen.has(this)) return [];
    seen.add(this);
    return [...this.#tasks, ...(this.options.dependsOn ?? []).flatMap((d) => d.allTasks(seen))];
  }
}

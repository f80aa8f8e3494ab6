// The task plugin local runs use for TypeScript tasks: the engine schedules the node (retries, caching, maps,
// branches stay the engine's), and this plugin calls the task function in the same process, skipping the
// module lookup a worker would do. Tests substitute mocks for chosen tasks here.
import type { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "@aloft/engine";
import type { TaskDef } from "../task.ts";
import type { TaskEntity } from "../task-entity.ts";
import { blobIO } from "../runtime/blob-io.ts";
import type { BlobIO } from "../types/blob-io.ts";
import { runTask, type RunnableTask } from "../runtime/run-task.ts";
import { loadTask, parseRuntimeArgs } from "../runtime/execute.ts";
import { TYPESCRIPT_TASK_TYPE } from "../task.ts";

export type MockFn = (inputs: any) => unknown;

export class InProcessTaskPlugin implements TaskPlugin {
  readonly name = "aloft-in-process";

  constructor(
    /** Task name → the entity serialized under it. */
    private readonly tasks: ReadonlyMap<string, TaskEntity>,
    private readonly mocks: ReadonlyMap<TaskEntity, MockFn> = new Map(),
    private readonly root: string = process.cwd(),
    /** The template a task called by a Flyte 2 task runs with (from the run's serializer). */
    private readonly templateOf?: (task: TaskEntity) => Promise<core.TaskTemplate>,
  ) {}

  // One BlobIO per store rather than one per task attempt.
  readonly #blobIOs = new WeakMap<TaskExecutionContext["blobStore"], BlobIO>();
  #blobs(store: TaskExecutionContext["blobStore"]): BlobIO {
    let io = this.#blobIOs.get(store);
    if (!io) this.#blobIOs.set(store, (io = blobIO(store)));
    return io;
  }

  static #isRuntimeTask(task: core.TaskTemplate): boolean {
    return task.type === TYPESCRIPT_TASK_TYPE && task.target.case === "container" && task.target.value.args[0] === "aloft-task";
  }

  canHandle(task: core.TaskTemplate): boolean {
    const e = this.tasks.get(task.id?.name ?? "");
    if (e) return this.mocks.has(e) || typeof (e as { fn?: unknown }).fn === "function";
    return InProcessTaskPlugin.#isRuntimeTask(task);
  }

  /** The entity behind a template: from this run's serialization, else (tasks a dynamic task added) by module. */
  async #entity(task: core.TaskTemplate): Promise<TaskEntity> {
    const known = this.tasks.get(task.id?.name ?? "");
    if (known) return known;
    const args = task.target.case === "container" ? task.target.value.args : [];
    return loadTask(parseRuntimeArgs(args), this.root);
  }

  async execute(ctx: TaskExecutionContext): Promise<TaskResult> {
    // Tasks of this run's serialization are found without an await (one fewer promise per task run).
    let entity: TaskEntity | undefined = this.tasks.get(ctx.task.id?.name ?? "");
    if (!entity) {
      try {
        entity = await this.#entity(ctx.task);
      } catch (e) {
        return { kind: "failure", error: { kind: "SYSTEM", code: "TaskNotFound", message: (e as Error).message, recoverable: false } };
      }
    }
    const mock = this.mocks.get(entity);
    const real = entity as TaskDef<any, any>;
    const def: RunnableTask = mock
      ? { inputs: entity.inputs, outputs: entity.outputs, fn: mock as RunnableTask["fn"], mode: "function", singleOutput: real.singleOutput ?? false }
      : real;
    const outcome = await runTask(def, ctx.inputs, {
      blobs: this.#blobs(ctx.blobStore),
      rawOutputPrefix: ctx.rawOutputPrefix,
      taskName: ctx.task.id?.name ?? "",
      taskId: ctx.task.id,
      root: this.root,
      // "in", not a read: the getter makes the attempt's call table, which most tasks never need.
      calls: this.templateOf && "actions" in ctx ? { actions: () => ctx.actions!, templateOf: this.templateOf } : undefined,
    });
    // Each outcome already has the shape of the matching task result.
    return outcome satisfies TaskResult;
  }
}

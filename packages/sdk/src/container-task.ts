// `containerTask(...)`: any program in any image, with Flyte's raw-container protocol. Inputs arrive as files in
// `inputDir` (one per input, plus inputs.pb/inputs.json) and may be templated into the command as
// `{{.inputs.name}}`; the program writes each output to `outputDir/<name>`. Locally the engine runs the command as
// a process, mapping the two directories to temporary ones.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { addCall } from "./call.ts";
import { callerFile } from "./defined-in.ts";
import type { CallInputs, CallOptions, CallResult, OutputDecl } from "./entity.ts";
import { isSchema, normalizeOutputs } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { checkOptionKeys, TASK_COMMON_KEYS } from "./options.ts";
import { container, securityContext, taskMetadata, typedInterface } from "./serialize/task-parts.ts";
import { checkInputNames, type TaskCommonOptions, type TaskEntity, type TemplateContext } from "./task-entity.ts";
import type { SchemaMap } from "./types/schema.ts";

export const RAW_CONTAINER_TASK_TYPE = "raw-container";

export interface ContainerTaskOptions<I extends SchemaMap, O extends OutputDecl> extends TaskCommonOptions<keyof I & string> {
  image: string;
  command: string[];
  args?: string[];
  inputs?: I;
  outputs?: O;
  /** Where inputs are written inside the container (Flyte's default /var/inputs). */
  inputDir?: string;
  /** Where the program writes outputs (Flyte's default /var/outputs). */
  outputDir?: string;
  /** Format of the inputs/outputs metadata files. */
  metadataFormat?: "JSON" | "YAML" | "PROTO";
}

export interface ContainerTaskDef<I extends SchemaMap, O extends OutputDecl> extends TaskEntity {
  (inputs: CallInputs<I>, options?: CallOptions): CallResult<O>;
  readonly singleOutput: boolean;
}

const formats = { JSON: core.DataLoadingConfig_LiteralMapFormat.JSON, YAML: core.DataLoadingConfig_LiteralMapFormat.YAML, PROTO: core.DataLoadingConfig_LiteralMapFormat.PROTO };

/** Builds a raw-container task; shared with shellTask, which supplies the command. */
export function rawContainerTask<I extends SchemaMap, O extends OutputDecl>(
  options: ContainerTaskOptions<I, O>,
  definedIn: string,
  kind: string,
): ContainerTaskDef<I, O> {
  const inputs = (options.inputs ?? {}) as SchemaMap;
  const outputs = normalizeOutputs(options.outputs);
  const label = options.name ? `${kind} "${options.name}"` : `${kind} defined in ${definedIn}`;
  checkInputNames(inputs, outputs, label);
  checkOptionKeys(options, [...TASK_COMMON_KEYS, "inputs", "outputs", "command", "args", "inputDir", "outputDir", "metadataFormat"], label);
  if (!options.image) throw new DefinitionError(`${label}: image is required`);
  if (!Array.isArray(options.command) || options.command.length === 0) throw new DefinitionError(`${label}: command must be a non-empty list`);
  const templated = [...options.command, ...(options.args ?? [])].join(" ");
  for (const m of templated.matchAll(/\{\{\s*\.inputs\.([A-Za-z0-9_]+)\s*\}\}/g)) {
    if (!(m[1]! in inputs)) throw new DefinitionError(`${label}: the command uses {{.inputs.${m[1]}}}, which is not an input`);
  }
  const inputDir = options.inputDir ?? "/var/inputs";
  const outputDir = options.outputDir ?? "/var/outputs";
  const single = isSchema(options.outputs);
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall({ label, target: { kind: "task", task: def }, inputs, outputs, single }, values, callOptions);
  const def = Object.assign(call, {
    entityKind: "task" as const,
    taskType: RAW_CONTAINER_TASK_TYPE,
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options,
    needsModule: false,
    singleOutput: single,
    template(ctx: TemplateContext): core.TaskTemplate {
      const c = container(options, options.image, options.args ?? [], `${kind} "${ctx.id.name}"`, options.command);
      c.dataConfig = create(core.DataLoadingConfigSchema, {
        enabled: true,
        inputPath: inputDir,
        outputPath: outputDir,
        format: formats[options.metadataFormat ?? "JSON"],
      });
      const sc = securityContext(options);
      return create(core.TaskTemplateSchema, {
        id: ctx.id,
        type: RAW_CONTAINER_TASK_TYPE,
        metadata: taskMetadata(ctx.id.name, options, inputs),
        interface: typedInterface(inputs, outputs),
        target: { case: "container", value: c },
        ...(sc ? { securityContext: sc } : {}),
      });
    },
  }) as unknown as ContainerTaskDef<I, O>;
  return def;
}

export function containerTask<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: ContainerTaskOptions<I, O>): ContainerTaskDef<I, O> {
  return rawContainerTask(options, callerFile(), "container task");
}

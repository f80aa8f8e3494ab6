// Flyte's command-line template variables ({{.input}}, {{.outputPrefix}}, {{.inputs.x}}, …),
// matched as Flyte matches them: case-insensitive, optional spaces, `.` or `$` before the name.
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

export interface TemplateParameters {
  inputPath: string;
  inputPrefix: string;
  outputPrefix: string;
  rawOutputDataPrefix: string;
  checkpointOutputPrefix: string;
  prevCheckpointPrefix: string;
  perRetryUniqueKey: string;
  taskTemplatePath?: string;
  namespace?: string;
  inputs: core.LiteralMap;
}

const re = (name: string) => new RegExp(`\\{\\{\\s*[.$]${name}\\s*\\}\\}`, "gi");
const INPUT = re("Input");
const INPUT_PREFIX = re("InputPrefix");
const OUTPUT_PREFIX = re("OutputPrefix");
const RAW_OUTPUT = re("RawOutputDataPrefix");
const PREV_CHECKPOINT = re("PrevCheckpointPrefix");
const CHECKPOINT = re("CheckpointOutputPrefix");
const PER_RETRY = re("PerRetryUniqueKey");
const TASK_TEMPLATE = re("TaskTemplatePath");
const NAMESPACE = re("Namespace");
const INPUT_VAR = /\{\{\s*[.$]Inputs\.([^}\s]+)\s*\}\}/gi;

export function renderArgs(args: readonly string[], p: TemplateParameters): string[] {
  return args.map((a, i) => renderOne(a, p, `container.args[${i}]`));
}

function renderOne(arg: string, p: TemplateParameters, field: string): string {
  // Most arguments are plain words: skip the dozen regular expressions for them.
  if (!arg.includes("{{")) return arg;
  let v = arg
    .replace(INPUT, p.inputPath)
    .replace(OUTPUT_PREFIX, p.outputPrefix)
    .replace(INPUT_PREFIX, p.inputPrefix)
    .replace(RAW_OUTPUT, p.rawOutputDataPrefix)
    // Flyte renders a missing previous checkpoint as a quoted empty string so the flag keeps its value.
    .replace(PREV_CHECKPOINT, p.prevCheckpointPrefix === "" ? '""' : p.prevCheckpointPrefix)
    .replace(CHECKPOINT, p.checkpointOutputPrefix)
    .replace(PER_RETRY, p.perRetryUniqueKey);
  if (TASK_TEMPLATE.test(v)) {
    TASK_TEMPLATE.lastIndex = 0;
    if (!p.taskTemplatePath) throw new InvalidArgumentError(field, "uses {{.taskTemplatePath}} but the task template was not offloaded");
    v = v.replace(TASK_TEMPLATE, p.taskTemplatePath);
  }
  v = v.replace(NAMESPACE, p.namespace ?? "");
  return v.replace(INPUT_VAR, (_m, name: string) => {
    const lit = p.inputs.literals[name];
    if (!lit) throw new InvalidArgumentError(field, `template {{.inputs.${name}}} names an input the task was not given`);
    return literalText(lit, `${field}.inputs.${name}`);
  });
}

function literalText(l: core.Literal, field: string): string {
  if (l.value.case === "collection") return `[${l.value.value.literals.map((x) => literalText(x, field)).join(",")}]`;
  if (l.value.case !== "scalar") throw new InvalidArgumentError(field, `a ${l.value.case ?? "empty"} literal cannot be rendered into a command line`);
  const s = l.value.value.value;
  switch (s.case) {
    case "primitive": {
      const p = s.value.value;
      switch (p.case) {
        case "integer":
          return p.value.toString();
        case "floatValue":
          return String(p.value);
        case "stringValue":
          return p.value;
        case "boolean":
          return String(p.value);
        case "datetime":
          return rfc3339(p.value.seconds, p.value.nanos);
        case "duration":
          return `${p.value.seconds}s${p.value.nanos ? ` ${p.value.nanos}ns` : ""}`;
        default:
          throw new InvalidArgumentError(field, "primitive has no value");
      }
    }
    case "blob":
      return s.value.uri;
    case "schema":
      return s.value.uri;
    default:
      throw new InvalidArgumentError(field, `a ${s.case ?? "empty"} scalar cannot be rendered into a command line`);
  }
}

function rfc3339(seconds: bigint, nanos: number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString().replace(/\.000Z$/, "Z");
  if (!nanos) return iso;
  return iso.replace(/Z$/, `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}Z`);
}

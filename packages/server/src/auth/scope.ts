// Reads a request's project and domain at a rule's path, through the descriptors (oneof members included).
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";

export interface Scope {
  project: string;
  /** Undefined when the scope has no domain (a whole project). */
  domain: string | undefined;
}

function fieldOf(desc: DescMessage, name: string): DescField | undefined {
  return desc.fields.find((f) => f.localName === name);
}

function valueOf(field: DescField, msg: Record<string, unknown>): unknown {
  if (field.oneof) {
    const o = msg[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
    return o?.case === field.localName ? o.value : undefined;
  }
  return msg[field.localName];
}

/** The message at a path, with its descriptor; undefined when a step is unset. */
function walk(desc: DescMessage, msg: Message, path: string): { desc: DescMessage; msg: Record<string, unknown> } | undefined {
  let d = desc;
  let m = msg as unknown as Record<string, unknown> | undefined;
  for (const step of path === "" ? [] : path.split(".")) {
    const f = fieldOf(d, step);
    if (!f || f.fieldKind !== "message" || m === undefined) return undefined;
    m = valueOf(f, m) as Record<string, unknown> | undefined;
    d = f.message;
  }
  return m === undefined ? undefined : { desc: d, msg: m };
}

/** The project and domain at `path` (an unset path reads as the empty project, which no project grant matches). */
export function scopeAt(desc: DescMessage, msg: Message, path: string, projectField = "project"): Scope {
  const at = walk(desc, msg, path);
  if (!at) return { project: "", domain: "" };
  const project = at.msg[projectField];
  const hasDomain = fieldOf(at.desc, "domain") !== undefined;
  return { project: typeof project === "string" ? project : "", domain: hasDomain ? String(at.msg.domain ?? "") : undefined };
}

/** Why a rule's path does not fit the request type (for the rules test); undefined when it does. */
export function pathProblem(desc: DescMessage, path: string, projectField = "project"): string | undefined {
  let d = desc;
  for (const step of path === "" ? [] : path.split(".")) {
    const f = fieldOf(d, step);
    if (!f) return `${d.typeName} has no field ${step}`;
    if (f.fieldKind !== "message") return `${d.typeName}.${step} is not a message`;
    d = f.message;
  }
  const p = fieldOf(d, projectField);
  if (!p || p.fieldKind !== "scalar") return `${d.typeName} has no string field ${projectField}`;
  return undefined;
}

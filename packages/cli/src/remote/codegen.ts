// `aloft codegen`'s writer: a registered entity's interface as a TypeScript reference declaration
// (`referenceTask({...inputs: { a: t.int() }...})`), so a workflow calling it is type-checked in the editor.
import { core, formatLiteralType } from "@aloft/idl";
import { UsageError } from "../command.ts";

export type ReferenceKind = "task" | "workflow" | "launchplan";

const makers: Record<ReferenceKind, string> = { task: "referenceTask", workflow: "referenceWorkflow", launchplan: "referenceLaunchPlan" };

type Json = { type?: string; items?: Json; properties?: Record<string, Json>; required?: string[]; title?: string; anyOf?: Json[]; additionalProperties?: Json | boolean };

/** A JSON-schema field (of a dataclass or pydantic model) as a `t.*` expression. */
function fromJsonSchema(s: Json, where: string): string {
  if (s.anyOf) {
    const variants = s.anyOf.filter((v) => v.type !== "null");
    const inner = variants.length === 1 ? fromJsonSchema(variants[0]!, where) : `t.union(${variants.map((v) => fromJsonSchema(v, where)).join(", ")})`;
    return variants.length < s.anyOf.length ? `t.optional(${inner})` : inner;
  }
  switch (s.type) {
    case "integer": return "t.int()";
    case "number": return "t.float()";
    case "string": return "t.string()";
    case "boolean": return "t.bool()";
    case "array": return `t.list(${fromJsonSchema(s.items ?? {}, `${where}[]`)})`;
    case "object":
      if (s.properties) return structExpr(s, where);
      if (typeof s.additionalProperties === "object") return `t.map(${fromJsonSchema(s.additionalProperties, `${where}{}`)})`;
  }
  throw new UsageError(`${where}: a struct field of JSON schema ${JSON.stringify(s)} has no TypeScript form yet`);
}

function structExpr(s: Json, where: string): string {
  const required = new Set(s.required ?? []);
  const fields = Object.entries(s.properties ?? {}).map(([k, f]) => {
    const e = fromJsonSchema(f, `${where}.${k}`);
    return `${JSON.stringify(k)}: ${required.has(k) || e.startsWith("t.optional(") ? e : `t.optional(${e})`}`;
  });
  return `t.struct({ ${fields.join(", ")} }${s.title ? `, { name: ${JSON.stringify(s.title)} }` : ""})`;
}

/** A Flyte LiteralType as the `t.*` expression that declares it. */
export function schemaExpr(lt: core.LiteralType | undefined, where: string): string {
  const ty = lt?.type;
  switch (ty?.case) {
    case "simple":
      switch (ty.value) {
        case core.SimpleType.INTEGER: return "t.int()";
        case core.SimpleType.FLOAT: return "t.float()";
        case core.SimpleType.STRING: return "t.string()";
        case core.SimpleType.BOOLEAN: return "t.bool()";
        case core.SimpleType.DATETIME: return "t.datetime()";
        case core.SimpleType.DURATION: return "t.duration()";
        case core.SimpleType.BINARY: return "t.binary()";
        case core.SimpleType.NONE: return "t.none()";
        case core.SimpleType.STRUCT: {
          const md = lt!.metadata as Json | undefined;
          if (md?.properties) return structExpr(md, where);
          break;
        }
      }
      break;
    case "collectionType": return `t.list(${schemaExpr(ty.value, `${where}[]`)})`;
    case "mapValueType": return `t.map(${schemaExpr(ty.value, `${where}{}`)})`;
    case "unionType": {
      const variants = ty.value.variants;
      const some = variants.filter((v) => !(v.type.case === "simple" && v.type.value === core.SimpleType.NONE));
      const inner = some.length === 1 ? schemaExpr(some[0], where) : `t.union(${some.map((v, i) => schemaExpr(v, `${where}|${i}`)).join(", ")})`;
      return some.length < variants.length ? `t.optional(${inner})` : inner;
    }
    case "blob": {
      const fmt = ty.value.format ? JSON.stringify(ty.value.format) : "";
      return ty.value.dimensionality === core.BlobType_BlobDimensionality.MULTIPART ? `t.directory(${fmt})` : `t.file(${fmt})`;
    }
    case "enumType": return `t.enum([${ty.value.values.map((v) => JSON.stringify(v)).join(", ")}] as const)`;
    case "structuredDatasetType": return "t.dataframe()";
  }
  throw new UsageError(`${where}: type ${formatLiteralType(lt)} has no TypeScript form yet`);
}

function schemaMap(vars: Record<string, core.LiteralType | undefined>, where: string): string {
  const entries = Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${schemaExpr(v, `${where} "${k}"`)}`).join(", ")} }`;
}

/** An export name from a Flyte name: `my_module.tasks.add` → `add`. */
export function exportNameOf(name: string): string {
  const last = name.split(".").pop() ?? name;
  const ident = last.replace(/[^\w$]/g, "_");
  return /^[0-9]/.test(ident) ? `_${ident}` : ident;
}

export interface Declared {
  kind: ReferenceKind;
  id: core.Identifier;
  inputs: Record<string, core.LiteralType | undefined>;
  outputs: Record<string, core.LiteralType | undefined>;
  exportName?: string;
}

/** The TypeScript module declaring one reference entity. */
export function declaration(d: Declared): string {
  const maker = makers[d.kind];
  const label = `${d.kind} ${d.id.project}/${d.id.domain}/${d.id.name}/${d.id.version}`;
  return [
    `// Generated by \`aloft codegen\` from the ${label} registered on the server.`,
    `// Regenerate it instead of editing: registration checks this interface against the registered one.`,
    `import { ${maker}, t } from "@aloft/sdk";`,
    ``,
    `export const ${d.exportName ?? exportNameOf(d.id.name)} = ${maker}({`,
    `  project: ${JSON.stringify(d.id.project)},`,
    `  domain: ${JSON.stringify(d.id.domain)},`,
    `  name: ${JSON.stringify(d.id.name)},`,
    `  version: ${JSON.stringify(d.id.version)},`,
    `  inputs: ${schemaMap(d.inputs, "input")},`,
    // A single output named o0 is flytekit's single return: declared as one schema, the call returns its promise.
    `  outputs: ${Object.keys(d.outputs).join() === "o0" ? schemaExpr(d.outputs.o0, 'output "o0"') : schemaMap(d.outputs, "output")},`,
    `});`,
    ``,
  ].join("\n");
}

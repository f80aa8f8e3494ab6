// The launch form as data: one text per input, turned into a LiteralMap by each type's handler and @aloft/idl's
// toLiteral, with a message per field that fails. Pure, so tests drive it without a browser.
import { core, fromLiteral, literalMap, toLiteral, LiteralValueError } from "@aloft/idl";
import { handlerFor } from "../types/registry.tsx";

export interface FormInput {
  name: string;
  type: core.LiteralType;
  description: string;
  /** Required inputs have no default in the launch plan. */
  required: boolean;
  /** Fixed by the launch plan: shown, not editable. */
  fixed: boolean;
}

export type FormTexts = Record<string, string>;

export interface FormResult {
  literals?: core.LiteralMap;
  errors: Record<string, string>;
}

/** The inputs of a launch plan: expected inputs (with defaults) and fixed inputs. */
export function formInputs(lp: { closure?: { expectedInputs?: core.ParameterMap | undefined } | undefined; spec?: { fixedInputs?: core.LiteralMap | undefined } | undefined }): { inputs: FormInput[]; defaults: Record<string, core.Literal> } {
  const inputs: FormInput[] = [];
  const defaults: Record<string, core.Literal> = {};
  for (const [name, p] of Object.entries(lp.closure?.expectedInputs?.parameters ?? {})) {
    if (!p.var?.type) continue;
    const def = p.behavior.case === "default" ? p.behavior.value : undefined;
    if (def) defaults[name] = def;
    inputs.push({ name, type: p.var.type, description: p.var.description, required: p.behavior.case === "required" || (p.behavior.case !== "default" && !isOptional(p.var.type)), fixed: false });
  }
  return { inputs, defaults };
}

function isOptional(t: core.LiteralType): boolean {
  return t.type.case === "unionType" && t.type.value.variants.some((v) => v.type.case === "simple" && v.type.value === core.SimpleType.NONE);
}

/** The form's text for a literal (a default or a relaunched input); empty when it cannot be shown. */
export function textFor(literal: core.Literal, type: core.LiteralType): string {
  const h = handlerFor(type);
  if (!h) return "";
  try {
    return h.toText(fromLiteral(literal, type, { int64: "bigint" }), type);
  } catch {
    return "";
  }
}

export function initialTexts(inputs: FormInput[], values: Record<string, core.Literal>): FormTexts {
  const texts: FormTexts = {};
  for (const i of inputs) {
    const v = values[i.name];
    texts[i.name] = v ? textFor(v, i.type) : handlerFor(i.type)?.control === "checkbox" ? "false" : "";
  }
  return texts;
}

/** One field's literal, or the message saying what is wrong with its text. */
export function fieldLiteral(input: FormInput, text: string): { literal?: core.Literal; error?: string } {
  const h = handlerFor(input.type);
  if (!h) return { error: `inputs of type ${input.type.type.case ?? "unset"} cannot be entered here` };
  if (text.trim() === "" && input.required && h.control !== "text") return { error: "required" };
  try {
    return { literal: toLiteral(h.parse(text, input.type), input.type, input.name) };
  } catch (e) {
    const message = e instanceof LiteralValueError ? e.message : (e as Error).message;
    // Errors inside a list carry their index ("[1]: …"); the field's name makes them read as a path.
    return { error: message.startsWith("[") ? `${input.name}${message}` : message };
  }
}

export function buildInputs(inputs: FormInput[], texts: FormTexts): FormResult {
  const literals: Record<string, core.Literal> = {};
  const errors: Record<string, string> = {};
  for (const i of inputs) {
    if (i.fixed) continue;
    const text = texts[i.name] ?? "";
    // An optional input left empty is left out, so the launch plan's default (or none) applies.
    if (text.trim() === "" && !i.required && handlerFor(i.type)?.control !== "checkbox") continue;
    const r = fieldLiteral(i, text);
    if (r.error) errors[i.name] = r.error;
    else literals[i.name] = r.literal!;
  }
  return Object.keys(errors).length > 0 ? { errors } : { literals: literalMap(literals), errors };
}

// Workflow inputs from command-line flags (`--xs '[1,2]' --name=abc`), parsed by each input's declared type,
// so a typo or a wrong type is reported against the input's name before anything runs.
import { formatLiteralType } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import type { SchemaMap } from "../types/schema.ts";

export class InputError extends Error {
  readonly code = "BAD_INPUT";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InputError";
  }
}

/** Splits `--name value` and `--name=value` pairs. */
export function inputFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--") || a === "--") throw new InputError(`unexpected argument ${JSON.stringify(a)}; inputs are given as --name value`);
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string | undefined;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined) throw new InputError(`input --${name} needs a value`);
      i++;
    }
    if (out.has(name)) throw new InputError(`input --${name} is given twice`);
    out.set(name, value);
  }
  return out;
}

/** Describes a workflow's inputs for usage text: `--xs list<integer> (required)`. */
export function describeInputs(inputs: SchemaMap, defaults: Record<string, unknown> = {}): string[] {
  return Object.entries(inputs).map(([k, s]) => {
    const optional = k in defaults ? `default ${JSON.stringify(s.toJson(defaults[k] as never))}` : s.check(null, k) === undefined ? "optional" : "required";
    return `  --${k} ${formatLiteralType(s.literalType())} (${optional})`;
  });
}

export function parseInputs(inputs: SchemaMap, flags: ReadonlyMap<string, string>, defaults: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, text] of flags) {
    const schema = inputs[name];
    if (!schema) {
      const known = Object.keys(inputs);
      throw new InputError(`unknown input --${name} (inputs: ${known.length ? known.map((k) => `--${k}`).join(", ") : "none"})`);
    }
    try {
      values[name] = schema.parse(text, `input --${name}`);
    } catch (e) {
      if (e instanceof TypeMismatchError) throw new InputError(`${e.message} (type ${formatLiteralType(schema.literalType())})`);
      throw e;
    }
  }
  const missing = Object.entries(inputs).filter(([k, s]) => !(k in values) && !(k in defaults) && s.check(null, k) !== undefined);
  if (missing.length > 0) {
    throw new InputError(`missing input${missing.length > 1 ? "s" : ""}: ${missing.map(([k, s]) => `--${k} (${formatLiteralType(s.literalType())})`).join(", ")}`);
  }
  return values;
}

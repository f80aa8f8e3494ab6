// Typed inputs for remote launches: `--name value` pairs parsed by the launch plan's declared input types.
import { core, formatLiteralType, toLiteral } from "@aloft/idl";
import { UsageError } from "../command.ts";

function parseText(text: string, type: core.LiteralType, name: string): unknown {
  const t = type.type;
  if (t.case === "simple") {
    switch (t.value) {
      case core.SimpleType.INTEGER:
        if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name} expects an integer, got ${JSON.stringify(text)}`);
        return Number(text);
      case core.SimpleType.FLOAT: {
        const n = Number(text);
        if (text.trim() === "" || Number.isNaN(n)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(text)}`);
        return n;
      }
      case core.SimpleType.STRING:
        return text;
      case core.SimpleType.BOOLEAN:
        if (text !== "true" && text !== "false") throw new UsageError(`--${name} expects true or false, got ${JSON.stringify(text)}`);
        return text === "true";
      case core.SimpleType.DATETIME: {
        const d = new Date(text);
        if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} expects an ISO-8601 datetime, got ${JSON.stringify(text)}`);
        return d;
      }
      default:
        break;
    }
  }
  if (t.case === "enumType") return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--${name} expects JSON for ${formatLiteralType(type)}, got ${JSON.stringify(text)}`);
  }
}

/** Builds the input LiteralMap; unknown names are errors, absent ones are left to the launch plan's defaults. */
export function parseRemoteInputs(argv: string[], expected: core.ParameterMap | undefined): Record<string, core.Literal> {
  const params = expected?.parameters ?? {};
  const out: Record<string, core.Literal> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(argv[i])}; inputs are given as --<name> <value>`);
    const name = m[1]!;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const p = params[name];
    if (!p?.var?.type) throw new UsageError(`unknown input --${name} (inputs: ${Object.keys(params).join(", ") || "none"})`);
    try {
      out[name] = toLiteral(parseText(value, p.var.type, name), p.var.type, name);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--${name}: ${(e as Error).message}`);
    }
  }
  return out;
}

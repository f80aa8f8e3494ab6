// Whether a reference entity's declared interface fits the one registered on the server. Inputs flow from the
// caller into the registered entity, outputs the other way, so each is checked in its direction with Flyte's own
// castability rules; every mismatch names the field.
import { areTypesCastable } from "@aloft/compiler";
import { formatLiteralType, type core } from "@aloft/idl";

export interface RegisteredInterface {
  inputs: Record<string, { type: core.LiteralType | undefined; required: boolean }>;
  outputs: Record<string, core.LiteralType | undefined>;
}

/** A task's or workflow's registered interface: every input required (Flyte tasks have no defaults). */
export function registeredFromTyped(i: core.TypedInterface | undefined): RegisteredInterface {
  return {
    inputs: Object.fromEntries(Object.entries(i?.inputs?.variables ?? {}).map(([k, v]) => [k, { type: v.type, required: true }])),
    outputs: Object.fromEntries(Object.entries(i?.outputs?.variables ?? {}).map(([k, v]) => [k, v.type])),
  };
}

/** A launch plan's: inputs with a default (or fixed) need not be given. */
export function registeredFromLaunchPlan(expectedInputs: core.ParameterMap | undefined, expectedOutputs: core.VariableMap | undefined): RegisteredInterface {
  return {
    inputs: Object.fromEntries(Object.entries(expectedInputs?.parameters ?? {}).map(([k, p]) => [k, { type: p.var?.type, required: p.behavior.case === "required" && p.behavior.value }])),
    outputs: Object.fromEntries(Object.entries(expectedOutputs?.variables ?? {}).map(([k, v]) => [k, v.type])),
  };
}

/** Every way `declared` does not fit `registered`, one line each, naming the input or output. */
export function interfaceMismatches(declared: core.TypedInterface, registered: RegisteredInterface): string[] {
  const out: string[] = [];
  const dIn = declared.inputs?.variables ?? {};
  const dOut = declared.outputs?.variables ?? {};
  for (const [k, v] of Object.entries(dIn)) {
    const r = registered.inputs[k];
    if (!r) out.push(`input "${k}" is declared but the registered interface has no such input (inputs: ${Object.keys(registered.inputs).join(", ") || "none"})`);
    else if (!areTypesCastable(v.type, r.type)) out.push(`input "${k}" is declared as ${formatLiteralType(v.type)} but registered as ${formatLiteralType(r.type)}`);
  }
  for (const [k, r] of Object.entries(registered.inputs)) {
    if (!(k in dIn) && r.required) out.push(`input "${k}" (${formatLiteralType(r.type)}) is required by the registered interface but not declared`);
  }
  for (const [k, v] of Object.entries(dOut)) {
    if (!(k in registered.outputs)) out.push(`output "${k}" is declared but the registered interface has no such output (outputs: ${Object.keys(registered.outputs).join(", ") || "none"})`);
    else if (!areTypesCastable(registered.outputs[k], v.type)) out.push(`output "${k}" is declared as ${formatLiteralType(v.type)} but registered as ${formatLiteralType(registered.outputs[k])}`);
  }
  return out;
}

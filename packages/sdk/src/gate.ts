// Gate nodes: pause a workflow for a time, for a person's approval, or for a typed value sent to it (a signal).
import { addCall } from "./call.ts";
import type { Bindable, CallOptions, NodeHandle } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import type { Ref } from "./promise.ts";
import type { Schema } from "./types/schema.ts";

const signalName = /^[A-Za-z0-9_-]+$/;

function checkName(kind: string, name: string): void {
  if (!signalName.test(name)) throw new DefinitionError(`${kind}: name "${name}" must use letters, digits, "_" and "-"`);
}

/** Waits `durationMs` milliseconds. */
export function sleep(durationMs: number, options: CallOptions = {}): NodeHandle {
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) throw new DefinitionError(`sleep: duration must be a non-negative number of milliseconds, got ${durationMs}`);
  return addCall({ label: "sleep", target: { kind: "gate", gate: { kind: "sleep", durationMs } }, inputs: {}, outputs: {}, single: false }, {}, options) as NodeHandle;
}

/**
 * Waits for a person to approve `value` (signal `name`); passes the value on once approved. The value's type
 * comes from its promise.
 */
export function approve<T>(value: Ref<T>, name: string, options: CallOptions & { timeout?: number } = {}): Ref<T> {
  checkName("approve", name);
  const schema = value.schema as Schema<T>;
  return addCall(
    { label: `approve "${name}"`, target: { kind: "gate", gate: { kind: "approve", signalId: name } }, inputs: { o0: schema }, outputs: { o0: schema }, single: true },
    { o0: value as Bindable<T> },
    options,
  ) as Ref<T>;
}

/** Waits for a value of type `schema` to be sent as signal `name` (e.g. from the CLI or UI). */
export function waitForInput<T>(name: string, schema: Schema<T>, options: CallOptions & { timeout?: number } = {}): Ref<T> {
  checkName("waitForInput", name);
  return addCall(
    {
      label: `waitForInput "${name}"`,
      target: { kind: "gate", gate: { kind: "signal", signalId: name, schema: schema as Schema<unknown>, outputName: "o0" } },
      inputs: {},
      outputs: { o0: schema },
      single: true,
    },
    {},
    options,
  ) as Ref<T>;
}

// Exact number types: `t.int()` and `t.float()` are different TypeScript types (Int, Float), so a float promise
// wired into an int input is an editor error (numbers.test.ts shows it), while task bodies do plain arithmetic.
// `t.int64()` carries Flyte integers beyond 2^53 as bigint, exactly; `t.int()` refuses them rather than round.
import { t, task, workflow } from "@aloft/sdk";

/** Cents in, a float out: ordinary arithmetic on an Int. */
export const toUnits = task({ inputs: { cents: t.list(t.int()) }, outputs: t.list(t.float()) }, ({ cents }) => cents.map((c) => c / 100));

export const average = task({ inputs: { amounts: t.list(t.float()) }, outputs: t.float() }, ({ amounts }) => amounts.reduce((a, b) => a + b, 0) / amounts.length);

/** A float back to an int is an explicit step, as in flytekit. */
export const roundCents = task({ inputs: { amount: t.float() }, outputs: t.int() }, ({ amount }) => Math.round(amount * 100));

/** Ledger ids are int64: past 2^53 a JS number would silently change them. */
export const nextEntry = task({ inputs: { entry: t.int64() }, outputs: t.int64() }, ({ entry }) => entry + 1n);

export const ledger = workflow(
  {
    inputs: { cents: t.list(t.int()), entry: t.int64() },
    outputs: { mean: t.float(), meanCents: t.int(), next: t.int64() },
    defaults: { cents: [199, 250, 1001], entry: 9007199254740993n },
  },
  ({ cents, entry }) => {
    const mean = average({ amounts: toUnits({ cents }) });
    return { mean, meanCents: roundCents({ amount: mean }), next: nextEntry({ entry }) };
  },
);

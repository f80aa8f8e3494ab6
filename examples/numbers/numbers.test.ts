import { describe, expect, it } from "vitest";
import { runWorkflow, t, workflow } from "@aloft/sdk";
import { average, ledger, nextEntry, roundCents, toUnits } from "./numbers.ts";

describe("numbers example", () => {
  it("keeps int64 ids exact and converts between ints and floats explicitly", async () => {
    const { outputs } = await runWorkflow(ledger, {});
    expect(outputs).toEqual({ mean: 4.833333333333333, meanCents: 483, next: 9007199254740994n });
  });

  it("refuses float-to-int wiring in the editor", () => {
    // Checked by tsc, never run: each @ts-expect-error must meet a real error.
    const wiring = () =>
      workflow({ inputs: { cents: t.list(t.int()) }, outputs: t.int() }, ({ cents }) => {
        const mean = average({ amounts: toUnits({ cents }) });
        // @ts-expect-error an int promise does not fit a float input
        roundCents({ amount: cents.at(0) });
        // @ts-expect-error a float promise does not fit an int64 input
        nextEntry({ entry: mean });
        // @ts-expect-error a list of ints does not fit a list of floats
        average({ amounts: cents });
        return roundCents({ amount: mean });
      });
    expect(typeof wiring).toBe("function");
    const wrongReturn = () =>
      // @ts-expect-error the workflow's int output cannot take a float promise
      workflow({ outputs: t.int() }, () => average({ amounts: [1.5] }));
    expect(typeof wrongReturn).toBe("function");
  });
});

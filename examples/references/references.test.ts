import { describe as suite, expect, it } from "vitest";
import { runWorkflow, t, workflow } from "@aloft/sdk";
import { add } from "./refs/add.ts";
import { describe } from "./refs/describe.ts";
import { invoice } from "./references.ts";

suite("references example", () => {
  it("runs locally with the Python tasks mocked (their real runs are in packages/cli/test/e2e/references.test.ts)", async () => {
    const { outputs } = await runWorkflow(invoice, { item: "bolt", qty: 2, extra: 1, unitPrice: 0.5 }, {
      mocks: [
        [add, ({ a, b }: { a: number; b: number }) => a + b],
        [describe, ({ item, qty }: { item: string; qty: number }) => `${qty} ${item}`],
      ],
    });
    expect(outputs).toBe("3 BOLT!");
  });

  it("type-checks calls against the generated declarations", () => {
    // Never run: the body is checked by tsc (each @ts-expect-error must meet a real error).
    const typed = () =>
      workflow({ inputs: { n: t.int(), s: t.string() }, outputs: t.string() }, ({ n, s }) => {
        // @ts-expect-error a string promise does not fit the Python task's int input
        add({ a: s, b: n });
        // @ts-expect-error the Python task's inputs are named a and b
        add({ x: n, b: n });
        // @ts-expect-error its output is an int, not a string
        const wrong: ReturnType<typeof describe> = add({ a: n, b: n });
        return describe({ item: s, qty: add({ a: n, b: 1 }), unit_price: 2 });
      });
    expect(typeof typed).toBe("function");
  });
});

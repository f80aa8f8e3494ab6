import { describe, expect, it } from "vitest";
import { runWorkflow, Serializer } from "@aloft/sdk";
import { orderValue } from "./schedule.ts";

describe("multi-file example", () => {
  it("runs tasks from two modules and a workspace package, and prices batches in a dynamic task", async () => {
    const { outputs, nodes } = await runWorkflow(orderValue, { count: 10, seed: 7, batchSize: 4 });
    expect(outputs.batches).toBe(3);
    expect(Math.abs(outputs.total - outputs.check)).toBeLessThanOrEqual(0.01 * outputs.batches);
    expect(outputs.report).toBe(`10 items in 3 batches: ${outputs.total.toFixed(2)}`);
    // Three batch totals and their sum ran as nodes the dynamic task added.
    expect(nodes.filter((n) => n.kind === "node" && /\/dynamic\/dn\d+$/.test(n.key))).toHaveLength(4);
  });

  it("names and locates each task by the module that defined it, not the workflow's", async () => {
    const s = new Serializer({ project: "p", domain: "d", version: "v" });
    await s.workflow(orderValue);
    const where = (name: string) => {
      const args = s.tasks.get(name)?.target.value as { args: string[] } | undefined;
      return args?.args.slice(args.args.indexOf("--module") + 1, args.args.indexOf("--module") + 4);
    };
    expect(where("examples.multi-file.features.makeItems")).toEqual(["examples/multi-file/features.ts", "--task", "makeItems"]);
    expect(where("examples.multi-file.pricing.batchTotal")).toEqual(["examples/multi-file/pricing.ts", "--task", "batchTotal"]);
    expect(where("examples.multi-file.report.index.formatReport")).toEqual(["examples/multi-file/report/index.ts", "--task", "formatReport"]);
  });
});

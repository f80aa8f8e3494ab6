// A store fault pauses the engine instead of killing it: the same work resumes, once, when the store answers again.
import { describe, expect, it } from "vitest";
import { types } from "@aloft/idl";
import { StoreFaultError } from "../db/faults.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import type { TaskFn } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { withStoreFaults } from "./blob-faults.ts";
import { MemoryBlobStore } from "./memory-blob-store.ts";

const engineWith = useEngines();
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
// Slow enough that the disk fills while the first node runs.
const incFn: TaskFn = async (i) => {
  await new Promise((r) => setTimeout(r, 30));
  return { kind: "success", outputs: ints({ o: int(i, "x") + 1 }) };
};
const twoSteps: WorkflowSpec = {
  name: "two",
  inputs: { a: types.integer() },
  outputs: { r: types.integer() },
  nodes: [taskNode("n0", inc, { x: promise("start-node", "a") }), taskNode("n1", inc, { x: promise("n0", "o") })],
  outputBindings: { r: promise("n1", "o") },
};

/** A blob store on a disk that fills up: outputs.pb writes fail with the filesystem's ENOSPC while `full`. */
class FillingBlobStore extends MemoryBlobStore {
  full = false;
  refused = 0;
  override async put(uri: string, bytes: Uint8Array): Promise<void> {
    if (this.full && uri.endsWith("/outputs.pb")) {
      this.refused++;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '/srv/aloft/data/${uri.replace(/^\w+:\/\//, "")}'`), { code: "ENOSPC", errno: -28, syscall: "write" });
    }
    return super.put(uri, bytes);
  }
}

describe("store faults", () => {
  it("pauses on a full blob store and finishes every node once when space returns", async () => {
    const disk = new FillingBlobStore();
    const pauses: StoreFaultError[] = [];
    const resumes: number[] = [];
    const { engine, plugin } = await engineWith(
      { inc: incFn },
      { blobStore: withStoreFaults(disk), inlineOutputsMaxBytes: 0, onPause: { paused: (f) => pauses.push(f), resumed: (ms) => resumes.push(ms) } },
    );
    const id = executionId("full-disk");
    await engine.createExecution({ id, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) });
    disk.full = true;
    const done = engine.wait(id);
    for (let i = 0; i < 200 && disk.refused < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(disk.refused).toBeGreaterThanOrEqual(2);
    expect(engine.pausedBy?.code).toBe("RESOURCE_EXHAUSTED");
    expect(engine.pausedBy?.message).toBe("blob store is out of space; retry in 5 s");
    expect(pauses).toHaveLength(1);
    // Nothing new is taken on meanwhile, and nothing is left behind by the refused create.
    const refused = executionId("while-full");
    await expect(engine.createExecution({ id: refused, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) })).rejects.toBeInstanceOf(StoreFaultError);
    expect(await engine.getExecution(refused)).toBeUndefined();
    disk.full = false;
    const r = await done;
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(3);
    expect(plugin.calls.map((c) => c.nodeId)).toEqual(["n0", "n1"]);
    expect(engine.pausedBy).toBeUndefined();
    expect(pauses.map((p) => p.message)).toEqual(["blob store is out of space; retry in 5 s"]);
    expect(resumes).toHaveLength(1);
  });

  it("still fails an execution on an error that is not a store fault", async () => {
    const broken = new MemoryBlobStore();
    broken.put = async () => {
      throw new TypeError("a bug in the store");
    };
    const { engine } = await engineWith({ inc: incFn }, { blobStore: broken, inlineOutputsMaxBytes: 1 });
    const id = executionId("broken");
    await engine.createExecution({ id, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) }).catch(() => undefined);
    const r = await engine.wait(id).catch((e: Error) => ({ phase: "FAILED", error: { message: e.message } }));
    expect(r.phase).toBe("FAILED");
    expect(engine.pausedBy).toBeUndefined();
  });
});

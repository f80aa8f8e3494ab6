// A real full and read-only disk under the blob store: a 4 MiB tmpfs (mounted here when the test runs as root; it
// skips, saying why, where it cannot mount). The engine pauses with a fault naming the store and no host path, takes
// on nothing new, and finishes every node once when space (or writing) returns.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { types } from "@aloft/idl";
import { FileSystemBlobStore } from "@aloft/storage";
import { StoreFaultError } from "../db/faults.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import type { TaskFn } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { withStoreFaults } from "./blob-faults.ts";

const mnt = mkdtempSync(join(tmpdir(), "aloft-tmpfs-"));
let mounted = false;
let whyNot = "";
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt], { stdio: "pipe" });
  mounted = true;
} catch (err) {
  whyNot = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
}
if (!mounted) console.warn(`disk-faults tests skipped: cannot mount a 4 MiB tmpfs at ${mnt} (${whyNot}); run as root to include them`);

afterAll(() => {
  if (mounted) execFileSync("umount", [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

const engineWith = useEngines();
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
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

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !probe(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!probe()) throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(mounted)("the blob store on a real disk that fills or turns read-only", () => {
  let root: string;
  beforeAll(() => {
    root = join(mnt, "blobs");
    mkdirSync(root, { recursive: true });
  });

  it("pauses on ENOSPC as RESOURCE_EXHAUSTED naming the blob store, and resumes once space is freed", async () => {
    const pauses: StoreFaultError[] = [];
    const { engine, plugin } = await engineWith(
      { inc: incFn },
      {
        blobStore: withStoreFaults(new FileSystemBlobStore({ root: pathToFileURL(root).toString() })),
        metadataPrefix: `${pathToFileURL(root)}/metadata`,
        // Every output goes to outputs.pb on the disk.
        inlineOutputsMaxBytes: 0,
        onPause: { paused: (f) => pauses.push(f), resumed: () => {} },
      },
    );
    const id = executionId("enospc");
    await engine.createExecution({ id, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) });
    // Fill the disk to the last byte.
    const filler = join(mnt, "filler");
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=64k"], { stdio: "pipe" });
    } catch {
      // dd stops at ENOSPC, as intended
    }
    const done = engine.wait(id);
    await until("the pause", () => pauses.length > 0);
    expect(pauses[0]!.code).toBe("RESOURCE_EXHAUSTED");
    expect(pauses[0]!.message).toBe("blob store is out of space; retry in 5 s");
    expect(pauses[0]!.message).not.toContain(mnt);
    await expect(engine.createExecution({ id: executionId("while-full"), closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) })).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    rmSync(filler);
    const r = await done;
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(3);
    expect(plugin.calls.map((c) => c.nodeId)).toEqual(["n0", "n1"]);
    expect(engine.pausedBy).toBeUndefined();
    expect(await engine.getExecution(executionId("while-full"))).toBeUndefined();
  }, 30_000);

  it("refuses creates and pauses on EROFS as UNAVAILABLE naming the blob store, and resumes once the disk is writable again", async () => {
    const pauses: StoreFaultError[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { engine } = await engineWith(
      { inc: async (i, ctx) => (ctx.nodeId === "n0" && (started(), await gate), incFn(i, ctx)) },
      {
        blobStore: withStoreFaults(new FileSystemBlobStore({ root: pathToFileURL(root).toString() })),
        metadataPrefix: `${pathToFileURL(root)}/metadata`,
        inlineOutputsMaxBytes: 0,
        onPause: { paused: (f) => pauses.push(f), resumed: () => {} },
      },
    );
    const id = executionId("erofs");
    await engine.createExecution({ id, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) });
    await running;
    execFileSync("mount", ["-o", "remount,ro", mnt]);
    try {
      // A create must store its inputs: refused, naming the store and not the path, and nothing is left behind.
      const refused = executionId("while-read-only");
      const err = await engine.createExecution({ id: refused, closure: closure(twoSteps, [inc]), inputs: ints({ a: 1 }) }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFaultError);
      expect([(err as StoreFaultError).code, (err as StoreFaultError).message]).toEqual(["UNAVAILABLE", "blob store is read-only; retry in 1 s"]);
      expect(await engine.getExecution(refused)).toBeUndefined();
      const done = engine.wait(id);
      release();
      await until("the pause", () => pauses.length > 0);
      expect([pauses[0]!.code, pauses[0]!.message]).toEqual(["UNAVAILABLE", "blob store is read-only; retry in 1 s"]);
      execFileSync("mount", ["-o", "remount,rw", mnt]);
      const r = await done;
      expect([r.phase, int(r.outputs, "r")]).toEqual(["SUCCEEDED", 3]);
      writeFileSync(join(mnt, "probe"), "ok");
    } finally {
      execFileSync("mount", ["-o", "remount,rw", mnt]);
    }
  }, 30_000);
});

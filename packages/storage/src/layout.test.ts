import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DataLayout } from "./layout.ts";

const exec = { project: "flytesnacks", domain: "development", name: "abc123" };
const layout = new DataLayout({ base: "s3://my-s3-bucket/" });
const meta = "s3://my-s3-bucket/metadata/propeller/flytesnacks-development-abc123";

describe("DataLayout: node data (flytepropeller's paths)", () => {
  it("places a top-level node's inputs in its data dir and outputs under the attempt", () => {
    expect(layout.executionPrefix(exec)).toBe(meta);
    expect(layout.node(exec, [{ nodeId: "n1", attempt: 2 }])).toEqual({
      dataDir: `${meta}/n1/data`,
      outputDir: `${meta}/n1/data/2`,
      inputs: `${meta}/n1/data/inputs.pb`,
      outputs: `${meta}/n1/data/2/outputs.pb`,
      error: `${meta}/n1/data/2/error.pb`,
      futures: `${meta}/n1/data/2/futures.pb`,
      deck: `${meta}/n1/data/2/deck.html`,
      uniqueId: "n1",
    });
  });

  it("nests children of subworkflow, branch and dynamic nodes under the parent's attempt", () => {
    const p = layout.node(exec, [
      { nodeId: "n0", attempt: 1 },
      { nodeId: "n2", attempt: 0 },
    ]);
    expect(p.inputs).toBe(`${meta}/n0/data/1/n2/inputs.pb`);
    expect(p.outputs).toBe(`${meta}/n0/data/1/n2/0/outputs.pb`);
    expect(p.uniqueId).toBe("n0-1-n2");
    const deeper = layout.node(exec, [
      { nodeId: "n0", attempt: 1 },
      { nodeId: "n2", attempt: 0 },
      { nodeId: "dn5", attempt: 3 },
    ]);
    expect(deeper.outputs).toBe(`${meta}/n0/data/1/n2/0/dn5/3/outputs.pb`);
    expect(deeper.uniqueId).toBe("n0-1-n2-0-dn5");
  });

  it("addresses array subtasks by index and attempt under both the data and output dirs", () => {
    const p = layout.node(exec, [
      { nodeId: "n0", attempt: 0 },
      { arrayIndex: 3, attempt: 1 },
    ]);
    expect(p.inputs).toBe(`${meta}/n0/data/3/1/inputs.pb`);
    expect(p.outputs).toBe(`${meta}/n0/data/0/3/1/outputs.pb`);
    expect(p.error).toBe(`${meta}/n0/data/0/3/1/error.pb`);
    expect(p.uniqueId).toBe("n0-0-n3");
  });

  it("shortens long nested unique ids the way Flyte does", () => {
    const p = layout.node(exec, [
      { nodeId: "a-very-long-node-name", attempt: 0 },
      { nodeId: "child", attempt: 0 },
    ]);
    expect(p.uniqueId).toMatch(/^f[a-z1-6]{7}-0-child$/);
    const q = layout.node(exec, [
      { nodeId: "parent-node", attempt: 0 },
      { nodeId: "child-node", attempt: 0 },
    ]);
    expect(q.uniqueId).toMatch(/^f[a-z1-6]{7}$/);
  });

  it("rejects bad paths naming the step", () => {
    expect(() => layout.node(exec, [])).toThrow("path: a node path needs at least one step");
    expect(() => layout.node(exec, [{ arrayIndex: 0, attempt: 0 }])).toThrow(/path\[0\]: the first step must be a node id/);
    expect(() => layout.node(exec, [{ nodeId: "n0", attempt: -1 }])).toThrow(/path\[0\].attempt: must be a non-negative integer/);
    expect(() => layout.node(exec, [{ nodeId: "n0", attempt: 0 }, { nodeId: "a/b", attempt: 0 }])).toThrow(/path\[1\].nodeId/);
    expect(() => layout.node({ ...exec, name: "" }, [{ nodeId: "n0", attempt: 0 }])).toThrow(/execution.name/);
  });
});

describe("DataLayout: raw outputs, admin data and uploads", () => {
  it("gives each task attempt a sharded raw output prefix named after execution, node and attempt", () => {
    expect(layout.rawOutputPrefix(exec, [{ nodeId: "n0", attempt: 1 }])).toMatch(/^s3:\/\/my-s3-bucket\/data\/[a-z0-9]{2}\/abc123-n0-1$/);
    const nested = layout.rawOutputPrefix(exec, [{ nodeId: "n0", attempt: 0 }, { arrayIndex: 7, attempt: 2 }], "s3://other/raw");
    expect(nested).toMatch(/^s3:\/\/other\/raw\/[a-z0-9]{2}\/abc123-n0-0-n7-2$/);
    expect(layout.rawOutputPrefix(exec, [{ nodeId: "n0", attempt: 1 }])).not.toBe(layout.rawOutputPrefix(exec, [{ nodeId: "n0", attempt: 2 }]));
  });

  it("stores admin's execution data under metadata/<project>/<domain>/<name>", () => {
    expect(layout.executionInputs(exec)).toBe("s3://my-s3-bucket/metadata/flytesnacks/development/abc123/inputs");
    expect(layout.executionUserInputs(exec)).toBe("s3://my-s3-bucket/metadata/flytesnacks/development/abc123/user_inputs");
    expect(layout.nodeEventOutputs(exec, "n0")).toBe("s3://my-s3-bucket/metadata/flytesnacks/development/abc123/n0/offloaded_outputs");
  });

  it("names uploads by filename root, or by the content's MD5 in base32", () => {
    const md5 = createHash("md5").update("bundle").digest();
    expect(layout.uploadLocation({ project: "p", domain: "d", filenameRoot: "fast123", filename: "script.tar.gz" })).toBe(
      "s3://my-s3-bucket/uploads/p/d/fast123/script.tar.gz",
    );
    const byMd5 = layout.uploadLocation({ project: "p", domain: "d", org: "acme", contentMd5: md5, filename: "f" });
    expect(byMd5).toMatch(/^s3:\/\/my-s3-bucket\/uploads\/acme\/p\/d\/[A-Z2-7]{26}======\/f$/);
    expect(() => layout.uploadLocation({ project: "p", domain: "d", filename: "f" })).toThrow(/filenameRoot\/contentMd5: one of them is required/);
    expect(() => layout.uploadLocation({ project: "p", domain: "d", filenameRoot: "r", filename: "a/b" })).toThrow(/filename: must not contain/);
  });

  it("takes its prefixes from options", () => {
    const l = new DataLayout({ base: "file:///var/aloft", propellerMetadataPrefix: "meta", uploadPrefix: "" , rawDataPrefix: "file:///scratch" });
    expect(l.executionPrefix(exec)).toBe("file:///var/aloft/meta/flytesnacks-development-abc123");
    expect(l.uploadLocation({ project: "p", domain: "d", filenameRoot: "r", filename: "f" })).toBe("file:///var/aloft/p/d/r/f");
    expect(l.rawOutputPrefix(exec, [{ nodeId: "n0", attempt: 0 }])).toMatch(/^file:\/\/\/scratch\/[a-z0-9]{2}\/abc123-n0-0$/);
    expect(() => new DataLayout({ base: "http://x" })).toThrow(/unsupported scheme "http"/);
  });
});

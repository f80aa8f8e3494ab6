// The conformance runner itself: it must pass matching goldens and report the first difference otherwise.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clone, create, toBinary, toJson } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { runConformance } from "../conformance/run.ts";
import { int, promise, taskNode, taskTemplate, types as t, workflow } from "./builders.ts";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fixture(goldenImage: string, outputBinding: core.BindingData) {
  dir = mkdtempSync(join(tmpdir(), "aloft-conformance-"));
  mkdirSync(join(dir, "compiled"));
  const template = taskTemplate("inc", { x: t.integer() }, { y: t.integer() });
  writeFileSync(join(dir, "000_inc_1.pb"), toBinary(admin.TaskSpecSchema, create(admin.TaskSpecSchema, { template })));
  const golden = create(core.CompiledTaskSchema, { template: clone(core.TaskTemplateSchema, template) });
  if (golden.template!.target.case === "container") {
    const c = golden.template!.target.value;
    golden.template!.target.value = { ...c, image: goldenImage, config: [1, 2, 3].map((i) => create(core.KeyValuePairSchema, { key: `testKey${i}`, value: `testValue${i}` })) };
  }
  writeFileSync(join(dir, "compiled", "000_inc_1_task.json"), JSON.stringify(toJson(core.CompiledTaskSchema, golden)));
  const wf = workflow("w", { outputs: { o: t.integer() } }, [taskNode("n0", "inc", { x: int(1) })], { o: outputBinding });
  writeFileSync(join(dir, "001_w_2.pb"), toBinary(core.WorkflowClosureSchema, create(core.WorkflowClosureSchema, { workflow: wf })));
}

describe("conformance runner", () => {
  it("passes a task whose golden matches after the test config is appended", () => {
    fixture("img:1", promise("n0", "y"));
    expect(runConformance(dir).map((r) => [r.ok, r.detail])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
  });

  it("reports the first differing field of a golden with both values", () => {
    fixture("img:2", promise("n0", "y"));
    const failed = runConformance(dir).filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toBe('differs from 000_inc_1_task.json at template.container.image: got "img:1", want "img:2"');
  });

  it("reports a workflow that does not compile", () => {
    fixture("img:1", promise("n0", "missing"));
    const failed = runConformance(dir).filter((r) => !r.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toContain("compile failed: Code: ParameterNotBound");
  });
});

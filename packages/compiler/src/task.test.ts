import { describe, expect, it } from "vitest";
import { create, equals } from "@bufbuild/protobuf";
import { core, types } from "@aloft/idl";
import { taskTemplate } from "../test/builders.ts";
import { compileTask } from "./task.ts";

function codesOf(t: core.TaskTemplate): string[] {
  const r = compileTask(t);
  return r.ok ? [] : r.errors.map((e) => `${e.code}@${e.nodeId}`);
}

describe("compileTask", () => {
  it("compiles a container task into a CompiledTask holding an equal copy of the template", () => {
    const t = taskTemplate("t", { a: types.integer() }, { o: types.string() });
    const r = compileTask(t);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(equals(core.TaskTemplateSchema, r.value.template!, t)).toBe(true);
    expect(r.value.template).not.toBe(t);
  });

  it("rejects a task without an id", () => {
    const t = taskTemplate("t");
    t.id = undefined;
    expect(codesOf(t)).toEqual(["ValueRequired@root"]);
  });

  it("rejects a container without an image", () => {
    const t = taskTemplate("t");
    if (t.target.case === "container") t.target.value.image = "";
    expect(codesOf(t)).toEqual(["ValueRequired@container"]);
  });

  it("requires a command or args when the interface has inputs or outputs", () => {
    const withIo = taskTemplate("t", { a: types.integer() });
    const withoutIo = taskTemplate("u");
    for (const t of [withIo, withoutIo]) {
      if (t.target.case === "container") {
        t.target.value.command = [];
        t.target.value.args = [];
      }
    }
    expect(codesOf(withIo)).toEqual(["ValueRequired@container"]);
    expect(codesOf(withoutIo)).toEqual([]);
  });

  it("accepts valid resource quantities and names the resource of an invalid one", () => {
    const t = taskTemplate("t");
    if (t.target.case !== "container") throw new Error("container expected");
    t.target.value.resources = create(core.ResourcesSchema, {
      requests: [
        { name: core.Resources_ResourceName.CPU, value: "500m" },
        { name: core.Resources_ResourceName.MEMORY, value: "1.5Gi" },
      ],
      limits: [{ name: core.Resources_ResourceName.MEMORY, value: "lots" }],
    });
    const r = compileTask(t);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.nodeId])).toEqual([["UnrecognizedValue", "resources.MEMORY"]]);
    expect(r.errors[0]!.description).toContain("lots");
  });

  it("requires a pod spec for k8s pod tasks and checks container names", () => {
    const base = taskTemplate("t");
    const noSpec = { ...base, target: { case: "k8sPod" as const, value: create(core.K8sPodSchema) } };
    expect(codesOf(noSpec)).toEqual(["InvalidValue@root"]);
    const good = { ...base, target: { case: "k8sPod" as const, value: create(core.K8sPodSchema, { podSpec: { containers: [{ name: "primary" }] } }) } };
    expect(codesOf(good)).toEqual([]);
    const bad = { ...base, target: { case: "k8sPod" as const, value: create(core.K8sPodSchema, { podSpec: { containers: [{ name: "Not_Valid" }] } }) } };
    expect(codesOf(bad)).toEqual(["InvalidValue@root"]);
  });

  it("does not validate SQL targets beyond the id, as Flyte does", () => {
    const t = { ...taskTemplate("t"), target: { case: "sql" as const, value: create(core.SqlSchema, { statement: "select 1" }) } };
    expect(codesOf(t)).toEqual([]);
  });

  it("reports a missing template instead of throwing", () => {
    expect(codesOf(undefined as unknown as core.TaskTemplate)).toEqual(["ValueRequired@root"]);
  });

  it("reports a missing template as a missing id, as Flyte's CompileTask(nil) does", () => {
    const r = compileTask(undefined as unknown as core.TaskTemplate);
    expect(r.ok ? [] : r.errors.map((e) => `${e.code}/${e.nodeId}/${e.description}`)).toEqual(["ValueRequired/root/Value required [Id]."]);
  });
});

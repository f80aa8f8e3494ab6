import { create } from "@bufbuild/protobuf";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, core, fromLiteral, lit, literalMap } from "@aloft/idl";
import { FileSystemBlobStore } from "./fs-store.ts";
import { readProto, readProtoIfExists, writeProto } from "./proto.ts";

let dir: string;
let store: FileSystemBlobStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aloft-proto-"));
  store = new FileSystemBlobStore({ root: `file://${dir}` });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readProto / writeProto", () => {
  it("round-trips a LiteralMap", async () => {
    const m = literalMap({ a: lit.integer(1), b: lit.collection([lit.string("x")]) });
    await writeProto(store, `file://${dir}/n0/inputs.pb`, core.LiteralMapSchema, m);
    expect(await readProto(store, `file://${dir}/n0/inputs.pb`, core.LiteralMapSchema)).toEqual(m);
  });

  it("fails with NOT_FOUND naming the URI, or undefined when probing", async () => {
    await expect(readProto(store, `file://${dir}/none/outputs.pb`, core.LiteralMapSchema)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `no blob at file://${dir}/none/outputs.pb`,
    });
    expect(await readProtoIfExists(store, `file://${dir}/none/error.pb`, core.ErrorDocumentSchema)).toBeUndefined();
  });

  it("reports malformed content with the URI and the expected type", async () => {
    const uri = `file://${dir}/bad/outputs.pb`;
    await store.put(uri, new Uint8Array([0x0a, 0xff, 0xff, 0xff]));
    await expect(readProto(store, uri, core.LiteralMapSchema)).rejects.toThrow(
      new RegExp(`malformed content at ${uri}: not a valid flyteidl.core.LiteralMap \\(4 bytes\\)`),
    );
  });

  it("reads an ErrorDocument written by writeProto", async () => {
    const doc = create(core.ErrorDocumentSchema, { error: { code: "USER:Boom", message: "it broke" } });
    await writeProto(store, `file://${dir}/n1/error.pb`, core.ErrorDocumentSchema, doc);
    expect((await readProto(store, `file://${dir}/n1/error.pb`, core.ErrorDocumentSchema)).error?.message).toBe("it broke");
  });
});

// Protobufs written by flytekit (Flyte's compiler test corpus), when the shared fixtures are on this machine.
const fixtures = "/work/shared/flyte-fixtures/compiler";
describe("reading flytekit output", () => {
  it("decodes an empty inputs LiteralMap and launch plans whose defaults convert to plain values", async (ctx) => {
    const { existsSync } = await import("node:fs");
    if (!existsSync(fixtures)) ctx.skip(`fixtures not found at ${fixtures}`);
    const fx = new FileSystemBlobStore({ root: `file://${fixtures}` });
    const inputs = await readProto(fx, `file://${fixtures}/app-workflows-work-one-python-task-w-f-inputs.pb`, core.LiteralMapSchema);
    expect(inputs.literals).toEqual({});

    const defaultOf = async (file: string, name: string) => {
      const lp = await readProto(fx, `file://${fixtures}/snacks-core/${file}`, admin.LaunchPlanSchema);
      const param = lp.spec?.defaultInputs?.parameters[name];
      if (param?.behavior.case !== "default" || !param.var?.type) throw new Error(`${file}: no default for ${name}`);
      return fromLiteral(param.behavior.value, param.var.type);
    };
    expect(await defaultOf("099_core.flyte_basics.documented_workflow.sphinx_docstring_3.pb", "data")).toEqual({ name: "Bonnie", id: 3 });
    expect(await defaultOf("167_core.type_system.enums.enum_wf_3.pb", "c")).toBe("red");
    expect(await defaultOf("063_core.control_flow.subworkflows.my_subwf_3.pb", "a")).toBe(42);
  });
});

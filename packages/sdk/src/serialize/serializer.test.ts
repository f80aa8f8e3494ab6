import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { Serializer } from "./serializer.ts";
import { SerializationError } from "../errors.ts";
import { task } from "../task.ts";
import { shellTask } from "../shell-task.ts";
import { workflow } from "../workflow.ts";
import { t } from "../types/t.ts";
import * as P from "./testdata/pipeline.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const settings = { project: "flytesnacks", domain: "development", version: "v1", root };

describe("serializer", () => {
  it("serializes a workflow with every node kind and the compiler accepts it", async () => {
    const s = new Serializer(settings);
    const { id } = await s.workflow(P.pipeline);
    expect(id.name).toBe("packages.sdk.src.serialize.testdata.pipeline.pipeline");
    const compiled = s.compile(id.name);
    const wf = compiled.primary!.template!;
    const kinds = wf.nodes.filter((n) => !["start-node", "end-node"].includes(n.id)).map((n) => n.target.case);
    expect(kinds).toEqual(["arrayNode", "arrayNode", "taskNode", "branchNode", "workflowNode", "gateNode"]);
    expect(wf.failureNode?.target.case).toBe("taskNode");
    expect(wf.metadata?.onFailure).toBe(core.WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE);
    // The sleep waits for the sub-workflow although no data flows.
    expect(wf.nodes.find((n) => n.id === "n5")!.upstreamNodeIds).toEqual(["n4"]);
    const array = wf.nodes.find((n) => n.id === "n0")!.target.value as core.ArrayNode;
    expect(array.parallelismOption).toEqual({ case: "parallelism", value: 4 });
    expect(array.successCriteria).toEqual({ case: "minSuccessRatio", value: 0.5 });
    const bound = wf.nodes.find((n) => n.id === "n1")!.target.value as core.ArrayNode;
    expect(bound.boundInputs).toEqual(["by"]);
  });

  it("writes task templates that start the Aloft runtime", async () => {
    const s = new Serializer(settings);
    await s.workflow(P.pipeline);
    const sq = s.tasks.get("packages.sdk.src.serialize.testdata.pipeline.square")!;
    expect(sq.type).toBe("typescript-task");
    expect(sq.target.case === "container" && sq.target.value.args).toEqual([
      "aloft-task", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}", "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
      "--module", "packages/sdk/src/serialize/testdata/pipeline.ts", "--task", "square",
    ]);
    expect(sq.metadata?.discoverable).toBe(true);
    expect(sq.metadata?.discoveryVersion).toBe("1");
    expect(sq.metadata?.retries?.retries).toBe(2);
    const mapped = s.tasks.get("packages.sdk.src.serialize.testdata.pipeline.square.map")!;
    expect(mapped.interface?.inputs?.variables.n?.type?.type.case).toBe("collectionType");
    const scaleMap = s.tasks.get("packages.sdk.src.serialize.testdata.pipeline.scale.map_bound_by")!;
    expect(scaleMap.interface?.inputs?.variables.by?.type?.type.case).toBe("simple");
  });

  it("serializes branch cases, fail() and gates", async () => {
    const s = new Serializer(settings);
    const { id } = await s.workflow(P.failing);
    const wf = s.compile(id.name).primary!.template!;
    const branch = wf.nodes.find((n) => n.id === "n0")!.target.value as core.BranchNode;
    expect(branch.ifElse?.default.case).toBe("error");
    const cmp = branch.ifElse!.case!.condition!.expr.value as core.ComparisonExpression;
    expect(cmp.operator).toBe(core.ComparisonExpression_Operator.LT);
    expect(cmp.rightValue?.val).toMatchObject({ case: "primitive", value: { value: { case: "integer", value: 0n } } });

    const { id: gid } = await s.workflow(P.gated);
    const gated = s.compile(gid.name).primary!.template!;
    const real = gated.nodes.filter((n) => n.target.case !== undefined);
    expect(real.map((n) => (n.target.case === "gateNode" ? n.target.value.condition.case : n.target.case))).toEqual(["taskNode", "approve", "signal"]);
  });

  it("serializes launch plans with fixed inputs and schedules, and launch-plan nodes", async () => {
    const s = new Serializer(settings);
    const { id } = await s.workflow(P.parent);
    s.compile(id.name);
    const lp = s.launchPlans.get("nightly")!;
    expect(lp.spec?.fixedInputs?.literals.k).toBeDefined();
    expect(Object.keys(lp.closure!.expectedInputs!.parameters)).toEqual(["xs"]);
    expect(lp.spec?.entityMetadata?.schedule?.ScheduleExpression).toMatchObject({ case: "cronSchedule", value: { schedule: "0 3 * * *" } });
    expect(lp.spec?.labels?.values).toEqual({ team: "data" });
    const dflt = await s.defaultLaunchPlan(P.pipeline);
    expect(dflt.closure!.expectedInputs!.parameters.k!.behavior.case).toBe("default");
  });

  it("refuses a task that is not exported", async () => {
    const hidden = task({ inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => a);
    const wf = workflow({ name: "uses-hidden", outputs: t.int() }, () => hidden({ a: 1 }));
    await expect(new Serializer(settings).workflow(wf)).rejects.toThrow(/not exported from its module/);
    // Local runs accept it when it has an explicit name.
    const named = task({ name: "named-hidden", inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => a);
    const wf2 = workflow({ name: "uses-named", outputs: t.int() }, () => named({ a: 1 }));
    const s = new Serializer({ ...settings, allowUnexported: true });
    await s.workflow(wf2);
    expect(s.compile("uses-named").primary?.template?.nodes.map((n) => n.id)).toContain("n0");
  });

  it("surfaces compiler errors (an int bound to a string input)", async () => {
    const wants = task({ name: "wants-float", inputs: { f: t.float() } }, () => {});
    const gives = task({ name: "gives-int", outputs: t.int() }, () => 1);
    // tsc refuses it (Int and Float are distinct); plain JavaScript or a cast still meets the Flyte compiler.
    const wf = workflow({ name: "mismatch" }, () => {
      // @ts-expect-error an int promise does not fit a float input
      wants({ f: gives({}) });
    });
    const s = new Serializer({ ...settings, allowUnexported: true });
    await s.workflow(wf);
    expect(() => s.compile("mismatch")).toThrow(SerializationError);
    expect(() => s.compile("mismatch")).toThrow(/does not compile/);
  });

  it("serializes raw container and shell tasks with Flyte's data loading config", async () => {
    const s = new Serializer(settings);
    const { id } = await s.workflow(P.polyglot);
    s.compile(id.name);
    const e = s.tasks.get("ellipse-area")!;
    expect(e.type).toBe("raw-container");
    const c = e.target.case === "container" ? e.target.value : undefined;
    expect(c?.command).toEqual(["./calculate-ellipse-area.sh", "/var/inputs", "/var/outputs"]);
    expect(c?.dataConfig).toMatchObject({ enabled: true, inputPath: "/var/inputs", outputPath: "/var/outputs", format: core.DataLoadingConfig_LiteralMapFormat.JSON });
    const w = s.tasks.get("word-count")!;
    const wc = w.target.case === "container" ? w.target.value : undefined;
    expect(wc?.command.slice(0, 2)).toEqual(["/bin/sh", "-ec"]);
    expect(wc?.command.slice(3)).toEqual(["aloft-shell", "/var/inputs", "/var/outputs"]);
  });

  it("refuses a command template naming an unknown input", () => {
    expect(() => shellTask({ name: "bad", inputs: { a: t.int() }, script: "echo {{.inputs.b}}" })).toThrow(/uses \{\{\.inputs\.b\}\}, which is not an input/);
  });

  it("writes task options into metadata, container and security context, and call overrides into the node", async () => {
    const heavy = task(
      {
        name: "heavy",
        inputs: { n: t.int() },
        outputs: t.int(),
        timeout: 90_000,
        interruptible: true,
        image: "ghcr.io/acme/train:1",
        environment: { MODE: "fast" },
        secrets: [{ group: "aws", key: "token", mountAs: "env" }],
        resources: { requests: { cpu: 2, memory: "4Gi" }, limits: { gpu: 1 } },
        cache: { version: "3", serialize: true, ignoredInputs: ["n"] },
      },
      ({ n }) => n,
    );
    const wf = workflow({ name: "uses-heavy", outputs: t.int() }, () => heavy({ n: 1 }, { name: "big", retries: 4, timeout: 1000, resources: { limits: { memory: "8Gi" } }, image: "ghcr.io/acme/train:2" }));
    const s = new Serializer({ ...settings, allowUnexported: true });
    await s.workflow(wf);
    const tt = s.tasks.get("heavy")!;
    expect(tt.metadata).toMatchObject({ timeout: { seconds: 90n }, interruptibleValue: { case: "interruptible", value: true }, cacheSerializable: true, cacheIgnoreInputVars: ["n"], discoveryVersion: "3" });
    const c = tt.target.value as core.Container;
    expect(c.image).toBe("ghcr.io/acme/train:1");
    expect(c.env.map((kv) => [kv.key, kv.value])).toEqual([["MODE", "fast"]]);
    expect(c.resources?.requests.map((r) => [r.name, r.value])).toEqual([[core.Resources_ResourceName.CPU, "2"], [core.Resources_ResourceName.MEMORY, "4Gi"]]);
    expect(c.resources?.limits.map((r) => [r.name, r.value])).toEqual([[core.Resources_ResourceName.GPU, "1"]]);
    expect(tt.securityContext?.secrets[0]).toMatchObject({ group: "aws", key: "token", mountRequirement: core.Secret_MountType.ENV_VAR });
    const node = s.compile("uses-heavy").primary!.template!.nodes.find((n) => n.id === "n0")!;
    expect(node.metadata).toMatchObject({ name: "big", retries: { retries: 4 }, timeout: { seconds: 1n } });
    const tn = node.target.value as core.TaskNode;
    expect(tn.overrides?.containerImage).toBe("ghcr.io/acme/train:2");
    expect(tn.overrides?.resources?.limits.map((r) => r.value)).toEqual(["8Gi"]);
  });

  it("refuses unknown options and bad quantities where they are written", async () => {
    expect(() => task({ name: "x", retires: 3 } as never, () => {})).toThrow('task "x": unknown option "retires"');
    expect(() => workflow({ name: "w", failurePolicy: "sometimes" } as never, () => {})).toThrow(/failurePolicy must be/);
    const q = task({ name: "q", resources: { requests: { memory: "lots" } } }, () => {});
    const wf = workflow({ name: "qw" }, () => {
      q({});
    });
    await expect(new Serializer({ ...settings, allowUnexported: true }).workflow(wf)).rejects.toThrow('memory "lots" is not a Kubernetes quantity');
    const bad = workflow({ name: "bad-call" }, () => {
      q({}, { retry: 2 } as never);
    });
    expect(() => bad.graph()).toThrow('unknown option "retry"');
  });

  it("hands its templates over to the closure on request: same closure, and no compiling afterwards", async () => {
    const inc = task({ name: "ho.inc", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);
    const wf = workflow({ name: "ho.chain", inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => inc({ x: inc({ x: a }) }));
    const copying = new Serializer({ ...settings, allowUnexported: true });
    await copying.workflow(wf);
    const expected = toBinary(core.CompiledWorkflowClosureSchema, copying.compile("ho.chain"));
    const s = new Serializer({ ...settings, allowUnexported: true });
    await s.workflow(wf);
    const closure = s.compile("ho.chain", { handOver: true });
    expect(toBinary(core.CompiledWorkflowClosureSchema, closure)).toEqual(expected);
    expect(closure.primary!.template).toBe(s.workflows.get("ho.chain"));
    // Compiling the (now compiled) templates again would rename branch nodes a second time.
    expect(() => s.compile("ho.chain")).toThrow(/handed over/);
  });

  it("shares one reference id, node metadata and overrides among plain calls of a task", async () => {
    const inc = task({ name: "sh.inc", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);
    const wf = workflow({ name: "sh.chain", inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => inc({ x: inc({ x: inc({ x: a }, { retries: 2 }) }) }));
    const s = new Serializer({ ...settings, allowUnexported: true });
    await s.workflow(wf);
    const [n0, n1, n2] = s.workflows.get("sh.chain")!.nodes;
    const tn = (n: core.Node) => n.target.value as core.TaskNode;
    expect(n1!.metadata).toBe(n2!.metadata);
    expect(tn(n1!).overrides).toBe(tn(n2!).overrides);
    expect(tn(n0!).reference.value).toBe(tn(n2!).reference.value);
    // A call with overrides gets its own metadata.
    expect(n0!.metadata).not.toBe(n1!.metadata);
    expect(n0!.metadata?.retries?.retries).toBe(2);
    expect(n1!.metadata?.retries).toBeUndefined();
  });
});

// `aloft register flyte-package.tgz`: registers what flytekit's `pyflyte package` wrote (as `flytectl register
// files` does): `N_<name>_1.pb` TaskSpec, `_2.pb` WorkflowSpec, `_3.pb` LaunchPlan, in file order, with the
// project, domain and version the package leaves empty filled in on every identifier.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary, fromJson, toJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import { UsageError } from "../command.ts";
import type { Remote } from "./connection.ts";
import type { RegisterResult } from "./register.ts";

/** Every identifier in `msg` (as JSON) with the empty project, domain and version filled in. */
function hydrate<D extends DescMessage>(schema: D, msg: MessageShape<D>, fill: { project: string; domain: string; version: string }): MessageShape<D> {
  const walk = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const o: { [k: string]: JsonValue } = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (typeof o.resourceType === "string" && typeof o.name === "string") {
      for (const k of ["project", "domain", "version"] as const) if (!o[k]) o[k] = fill[k];
    }
    return o;
  };
  return fromJson(schema, walk(toJson(schema, msg)));
}

export async function registerPackage(remote: Remote, file: string, version: string | undefined): Promise<RegisterResult> {
  if (!version) throw new UsageError("registering a flytekit package needs --version (its entities carry none)");
  const dir = mkdtempSync(join(tmpdir(), "aloft-package-"));
  try {
    const tar = spawnSync("tar", ["-xzf", file, "-C", dir], { encoding: "utf8" });
    if (tar.status !== 0) throw new UsageError(`cannot unpack ${file}: ${tar.stderr.trim() || tar.error?.message}`);
    const files = readdirSync(dir).filter((f) => /^\d+_.*_[123]\.pb$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b));
    if (files.length === 0) throw new UsageError(`${file} holds no pyflyte package entities (N_<name>_1|2|3.pb)`);
    const fill = { project: remote.project, domain: remote.domain, version };
    const res: RegisterResult = { version, codeBundle: "", tasks: [], workflows: [], launchPlans: [], reused: false };
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      if (f.endsWith("_1.pb")) {
        const spec = hydrate(admin.TaskSpecSchema, fromBinary(admin.TaskSpecSchema, bytes), fill);
        await remote.admin.createTask({ id: spec.template!.id, spec });
        res.tasks.push(spec.template!.id!.name);
      } else if (f.endsWith("_2.pb")) {
        const spec = hydrate(admin.WorkflowSpecSchema, fromBinary(admin.WorkflowSpecSchema, bytes), fill);
        await remote.admin.createWorkflow({ id: spec.template!.id, spec });
        res.workflows.push(spec.template!.id!.name);
      } else {
        const lp = hydrate(admin.LaunchPlanSchema, fromBinary(admin.LaunchPlanSchema, bytes), fill);
        await remote.admin.createLaunchPlan({ id: lp.id, spec: lp.spec });
        res.launchPlans.push(lp.id!.name);
      }
    }
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

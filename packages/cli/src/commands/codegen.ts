// `aloft codegen`: writes a typed reference declaration for a task, workflow or launch plan registered on a server
// (by flytekit's `pyflyte register` or by `aloft register`), to call it from a TypeScript workflow.
import { writeFileSync } from "node:fs";
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";

const usage = `Usage: aloft codegen [--type task|workflow|launchplan] [--out file.ts] [--export name] [--endpoint url]
                     <project> <domain> <name> <version>

Fetches the registered entity's interface from the server and writes a TypeScript module exporting a
referenceTask / referenceWorkflow / referenceLaunchPlan declaration with that interface (to stdout, or --out).
Calling it in a workflow is then type-checked by tsc; \`aloft register\` checks the declaration against the server.
--type defaults to task. --export names the exported constant (default: the last part of <name>).

Example: aloft codegen flytesnacks development my_module.add v1 --out refs/add.ts`;

function take(rest: string[], flag: string): string | undefined {
  const i = rest.indexOf(flag);
  if (i < 0) return undefined;
  const v = rest.splice(i, 2)[1];
  if (!v || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return v;
}

export const codegen: Command = {
  name: "codegen",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const type = take(rest, "--type") ?? "task";
    const out = take(rest, "--out");
    const exportName = take(rest, "--export");
    if (type !== "task" && type !== "workflow" && type !== "launchplan") throw new UsageError(`--type must be task, workflow or launchplan, got ${JSON.stringify(type)}`);
    if (exportName !== undefined && !/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new UsageError(`--export must be a JavaScript identifier, got ${JSON.stringify(exportName)}`);
    const [project, domain, name, version, ...extra] = rest;
    if (!version || extra.length > 0 || rest.some((a) => a.startsWith("--"))) throw new UsageError(usage);
    const remote = connect(flags);
    const { fetchDeclared } = await import("../remote/codegen-fetch.ts");
    const { declaration } = await import("../remote/codegen.ts");
    const declared = await fetchDeclared(remote, type, { project: project!, domain: domain!, name: name!, version });
    const text = declaration({ ...declared, ...(exportName ? { exportName } : {}) });
    if (out) {
      writeFileSync(out, text);
      io.err(`wrote ${out}`);
    } else io.out(text.trimEnd());
    return 0;
  },
};

// `aloft register`: fast registration of a TypeScript project on a server.
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { enableUserCode } from "../user-code.ts";

const usage = `Usage: aloft register [--version v] [--endpoint url] [--project p] [--domain d] <file.ts>

Serializes every task, workflow and launch plan exported by <file.ts> (and what they use), bundles the code with
esbuild and uploads it through the server's DataProxy, then registers everything under one version (default:
derived from the bundle's content, so unchanged code registers as the same version).`;

export const register: Command = {
  name: "register",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const v = rest.indexOf("--version");
    const version = v >= 0 ? rest.splice(v, 2)[1] : undefined;
    if (v >= 0 && !version) throw new UsageError("--version needs a value");
    const [file, ...extra] = rest;
    if (!file || extra.length > 0 || file.startsWith("--")) throw new UsageError(usage);
    const remote = connect(flags);
    await enableUserCode();
    // Loaded when the command runs: serializing needs the SDK and esbuild.
    const { registerModule } = await import("../remote/register.ts");
    const res = await registerModule(remote, file, version ? { version } : {});
    io.out(`registered ${res.tasks.length} task(s), ${res.workflows.length} workflow(s), ${res.launchPlans.length} launch plan(s) as version ${res.version} in ${remote.project}/${remote.domain}`);
    io.out(`code bundle: ${res.codeBundle}`);
    return 0;
  },
};

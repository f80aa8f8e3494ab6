// `aloft register`: fast registration of a TypeScript project on a server.
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { enableUserCode } from "../user-code.ts";

const usage = `Usage: aloft register [--version v] [--endpoint url] [--project p] [--domain d] <file.ts | package.tgz>

Serializes every task, workflow and launch plan exported by <file.ts> (and what they use), bundles the code with
esbuild and uploads it through the server's DataProxy, then registers everything under one version (default:
derived from the bundle's content: unchanged code is the same version, and is not uploaded or registered again).
Reference entities the workflows call must be registered already, with the interface they are declared with.

A .tgz made by flytekit's \`pyflyte package\` is registered as \`flytectl register files\` does (--version required).`;

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
    const isPackage = /\.(tgz|tar\.gz)$/.test(file);
    const res = isPackage
      ? await (await import("../remote/register-package.ts")).registerPackage(remote, file, version)
      : await (await import("../remote/register.ts")).registerModule(remote, file, version ? { version } : {});
    const what = `${res.tasks.length} task(s), ${res.workflows.length} workflow(s), ${res.launchPlans.length} launch plan(s)`;
    if (res.reused) io.out(`already registered: ${what} as version ${res.version} in ${remote.project}/${remote.domain} (same code)`);
    else io.out(`registered ${what} as version ${res.version} in ${remote.project}/${remote.domain}`);
    if (res.codeBundle) io.out(`code bundle: ${res.codeBundle}`);
    return 0;
  },
};

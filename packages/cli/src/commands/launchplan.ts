// `aloft launchplan activate|deactivate`: turns a launch plan's schedule (and its notifications) on or off, as
// `flytectl update launchplan --activate/--archive` does. Activating a version deactivates the name's others.
import { admin, core } from "@aloft/idl";
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { resolveLaunchPlan } from "../remote/launch.ts";

const usage = `Usage: aloft launchplan <activate|deactivate> <launch-plan> [--version v] [--endpoint url] [--project p] [--domain d]

  activate     make the launch plan's version active: its schedule fires (the name's other versions stop)
  deactivate   stop its schedule

<launch-plan> is the registered name or the short name a user sees; the latest version unless --version.`;

export const launchplan: Command = {
  name: "launchplan",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    let version: string | undefined;
    const vi = rest.findIndex((a) => a === "--version" || a.startsWith("--version="));
    if (vi >= 0) {
      const a = rest[vi]!;
      version = a.includes("=") ? a.slice(a.indexOf("=") + 1) : rest[vi + 1];
      if (!version) throw new UsageError("--version needs a value");
      rest.splice(vi, a.includes("=") ? 1 : 2);
    }
    const [action, name, ...extra] = rest;
    if (action !== "activate" && action !== "deactivate") throw new UsageError(usage);
    if (!name) throw new UsageError(`aloft launchplan ${action} <launch-plan>`);
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    const remote = connect(flags);
    const lp = await resolveLaunchPlan(remote, name, version);
    const state = action === "activate" ? admin.LaunchPlanState.ACTIVE : admin.LaunchPlanState.INACTIVE;
    await remote.admin.updateLaunchPlan({ id: { ...lp.id!, resourceType: core.ResourceType.LAUNCH_PLAN }, state });
    const schedule = lp.spec?.entityMetadata?.schedule;
    const note = action === "activate" && !schedule ? " (it has no schedule)" : "";
    io.out(`launch plan ${lp.id!.name} version ${lp.id!.version} ${action === "activate" ? "active" : "inactive"}${note}`);
    return 0;
  },
};

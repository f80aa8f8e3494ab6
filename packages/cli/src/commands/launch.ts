// `aloft launch`: starts a registered launch plan on a server, or backfills its schedule over a time range.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { parseRemoteInputs } from "../remote/inputs.ts";
import { finish, resolveLaunchPlan } from "../remote/launch.ts";

const usage = `Usage: aloft launch [options] <launch-plan> [--<input> <value>…]

Starts the launch plan (its latest version unless --version) and prints the execution name; with --wait, follows
it with live progress and prints its outputs.

Options (before <launch-plan>):
  --version <v>                         launch plan version
  --name <execution>                    execution name (default: chosen by the server)
  --wait                                wait for the execution and print its outputs
  --backfill-from <iso> --backfill-to <iso>   start one execution per schedule slot in the range
  --endpoint <url> --project <p> --domain <d>`;

export const launch: Command = {
  name: "launch",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    let version: string | undefined;
    let name: string | undefined;
    let wait = false;
    let from: number | undefined;
    let to: number | undefined;
    let i = 0;
    const value = (flag: string) => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const time = (flag: string) => {
      const t = Date.parse(value(flag));
      if (Number.isNaN(t)) throw new UsageError(`${flag} expects an ISO-8601 time`);
      return t;
    };
    for (; i < rest.length && rest[i]!.startsWith("--"); i++) {
      const a = rest[i]!;
      if (a === "--version") version = value(a);
      else if (a === "--name") name = value(a);
      else if (a === "--wait") wait = true;
      else if (a === "--backfill-from") from = time(a);
      else if (a === "--backfill-to") to = time(a);
      else break;
    }
    const lpName = rest[i];
    if (!lpName || lpName.startsWith("--")) throw new UsageError(usage);
    const remote = connect(flags);
    const lp = await resolveLaunchPlan(remote, lpName, version);
    const literals = parseRemoteInputs(rest.slice(i + 1), lp.closure?.expectedInputs);
    if ((from === undefined) !== (to === undefined)) throw new UsageError("--backfill-from and --backfill-to go together");
    if (from !== undefined && to !== undefined) {
      const schedule = lp.spec?.entityMetadata?.schedule;
      if (!schedule?.ScheduleExpression.case) throw new UsageError(`launch plan ${lpName} has no schedule to backfill`);
      // The server's schedule clock decides the slots, so a backfill fires exactly what the scheduler would have.
      const { scheduleSlots, scheduledExecutionName } = await import("@aloft/server");
      let started = 0;
      for (const t of scheduleSlots(schedule, from, to)) {
        const inputs = { ...literals };
        if (schedule.kickoffTimeInputArg) {
          inputs[schedule.kickoffTimeInputArg] = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "datetime", value: timestampFromMs(t) } } } } } });
        }
        const execName = scheduledExecutionName({ project: remote.project, domain: remote.domain, name: lpName, version: lp.id!.version }, t);
        try {
          await remote.admin.createExecution({ project: remote.project, domain: remote.domain, name: execName, spec: { launchPlan: lp.id, metadata: { mode: admin.ExecutionMetadata_ExecutionMode.SCHEDULED, scheduledAt: timestampFromMs(t) } }, inputs: { literals: inputs } });
          started++;
          io.out(`${new Date(t).toISOString()}  ${execName}`);
        } catch (e) {
          // The slot already ran (same derived name): a backfill is safe to repeat.
          if ((e as { code?: number }).code === 6) io.err(`${new Date(t).toISOString()}  ${execName} already exists`);
          else throw e;
        }
      }
      io.err(`backfill started ${started} execution(s)`);
      return 0;
    }
    const res = await remote.admin.createExecution({
      project: remote.project,
      domain: remote.domain,
      name: name ?? "",
      spec: { launchPlan: lp.id, metadata: { mode: admin.ExecutionMetadata_ExecutionMode.MANUAL, principal: process.env.USER ?? "" } },
      inputs: { literals },
    });
    io.out(res.id!.name);
    return wait ? finish(remote, res.id!, io) : 0;
  },
};

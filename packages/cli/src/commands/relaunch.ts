// `aloft relaunch` and `aloft recover`: start a new execution from an earlier one's spec and inputs; recover
// reuses the outputs of nodes that already succeeded (when the server supports it).
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { finish } from "../remote/launch.ts";

function again(kind: "relaunch" | "recover"): Command {
  const usage = `Usage: aloft ${kind} <execution> [--name new-name] [--wait] [--endpoint url] [--project p] [--domain d]`;
  return {
    name: kind,
    usage,
    async run(argv, io) {
      const { flags, rest } = takeCommonFlags(argv);
      const w = rest.indexOf("--wait");
      const wait = w >= 0;
      if (wait) rest.splice(w, 1);
      const n = rest.indexOf("--name");
      const newName = n >= 0 ? rest.splice(n, 2)[1] : "";
      if (newName === undefined) throw new UsageError("--name needs a value");
      const [name, ...extra] = rest;
      if (!name || extra.length > 0) throw new UsageError(usage);
      const r = connect(flags);
      const id = { project: r.project, domain: r.domain, name };
      const res = kind === "relaunch" ? await r.admin.relaunchExecution({ id, name: newName }) : await r.admin.recoverExecution({ id, name: newName });
      io.out(res.id!.name);
      return wait ? finish(r, res.id!, io) : 0;
    },
  };
}

export const relaunch = again("relaunch");
export const recover = again("recover");

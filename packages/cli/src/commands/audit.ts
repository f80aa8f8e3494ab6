// `aloft audit`: the server's audit log of writes (who, when, what, outcome), newest first.
import { UsageError, type Command } from "../command.ts";
import { takeCommonFlags } from "../remote/connection.ts";
import { authApi } from "../remote/auth-api.ts";
import { table } from "../remote/format.ts";

const usage = `Usage: aloft audit [--project p] [--principal user:x|key:id] [--action AdminService.createExecution]
                   [--since 2026-01-01T00:00:00Z] [--limit n] [--json] [--endpoint url]

Lists recorded writes (register, launch, terminate, signal, settings, grants, keys), newest first, with the
caller, the resource and the outcome (OK, PERMISSION_DENIED, …). Organization admins see every project; a
project's admins see theirs (give --project). Here --project filters the log, it is not the CLI's default project.`;

export const audit: Command = {
  name: "audit",
  usage,
  async run(argv, io) {
    const explicitProject = argv.some((a) => a === "--project" || a.startsWith("--project="));
    const { flags, rest } = takeCommonFlags(argv);
    const body: Record<string, unknown> = explicitProject ? { project: flags.project } : {};
    let json = false;
    for (let i = 0; i < rest.length; i++) {
      const m = /^--(principal|action|since|limit)$/.exec(rest[i]!);
      if (rest[i] === "--json") json = true;
      else if (m) {
        const v = rest[++i];
        if (v === undefined) throw new UsageError(`--${m[1]} needs a value`);
        body[m[1]!] = m[1] === "limit" ? Number(v) : v;
      } else throw new UsageError(usage);
    }
    const { entries } = (await authApi(flags.endpoint, "audit/list", body)) as { entries: { at: string; principal: string; action: string; project: string; domain: string; resource: string; outcome: string }[] };
    if (json) io.out(JSON.stringify(entries, null, 2));
    else io.out(table([["TIME", "PRINCIPAL", "ACTION", "RESOURCE", "OUTCOME"], ...entries.map((e) => [e.at, e.principal, e.action, e.resource || `${e.project}/${e.domain}`, e.outcome])]));
    return 0;
  },
};

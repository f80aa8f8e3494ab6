// `aloft terminate`: aborts a running execution on a server.
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";

const usage = `Usage: aloft terminate <execution> [--cause text] [--endpoint url] [--project p] [--domain d]`;

export const terminate: Command = {
  name: "terminate",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const i = rest.indexOf("--cause");
    const cause = i >= 0 ? rest.splice(i, 2)[1] : "terminated with aloft terminate";
    if (cause === undefined) throw new UsageError("--cause needs a value");
    const [name, ...extra] = rest;
    if (!name || extra.length > 0) throw new UsageError(usage);
    const r = connect(flags);
    await r.admin.terminateExecution({ id: { project: r.project, domain: r.domain, name }, cause });
    io.out(`terminating ${name}`);
    return 0;
  },
};

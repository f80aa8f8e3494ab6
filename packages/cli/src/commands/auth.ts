// `aloft auth`: API keys, role grants and who the current credential is, on a server started with --auth.
import { UsageError, type Command } from "../command.ts";
import { takeCommonFlags } from "../remote/connection.ts";
import { authApi } from "../remote/auth-api.ts";
import { table } from "../remote/format.ts";

const usage = `Usage: aloft auth <command> [--endpoint url]

  whoami                                       the credential's principal, groups and grants
  keys create <name> [--grant project/domain/role]...
                                               creates an API key and prints it once (organization admins)
  keys list                                    API keys, without their secrets
  keys revoke <id>                             revokes a key (tokens issued for it stop working too)
  grant <principal> <project> <domain> <role>  gives a role: viewer, contributor, admin or org-admin
  ungrant <principal> <project> <domain> <role>
  grants [project]                             grants, of one project or (organization admins) all

Principals are user:<subject>, group:<name> or key:<id>; project and domain may be * (all).
Credential: ALOFT_API_KEY, or ALOFT_API_KEY_FILE naming a file (mode 600) with the key, such as the
admin-key file \`aloft start --auth\` writes into its data directory.
A key is also an OAuth2 client: client id = the key's id, client secret = the key (flytekit's ClientSecret).`;

function grantOf(spec: string): { project: string; domain: string; role: string } {
  const [project, domain, role, ...extra] = spec.split("/");
  if (!project || !domain || !role || extra.length > 0) throw new UsageError(`--grant ${spec}: expected project/domain/role, for example flytesnacks/*/contributor`);
  return { project, domain, role };
}

export const auth: Command = {
  name: "auth",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const api = (path: string, body: unknown) => authApi(flags.endpoint, path, body);
    const [cmd, sub, ...args] = rest;
    if (cmd === "whoami" && sub === undefined) {
      const me = await api("auth/whoami", {});
      io.out(`${String(me.subject)}${(me.groups as string[]).length ? ` (groups: ${(me.groups as string[]).join(", ")})` : ""}`);
      const grants = me.grants as { project: string; domain: string; role: string }[];
      if (grants.length > 0) io.out(table([["PROJECT", "DOMAIN", "ROLE"], ...grants.map((g) => [g.project, g.domain, g.role])]));
      return 0;
    }
    if (cmd === "keys" && sub === "create") {
      const grants: string[] = [];
      const names: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === "--grant") {
          const v = args[++i];
          if (v === undefined) throw new UsageError("--grant needs project/domain/role");
          grants.push(v);
        } else names.push(args[i]!);
      }
      if (names.length !== 1) throw new UsageError(usage);
      const parsed = grants.map(grantOf);
      const created = await api("auth/keys/create", { name: names[0] });
      for (const g of parsed) await api("auth/grants/add", { principal: `key:${String(created.id)}`, ...g });
      io.out(`API key ${String(created.id)} (${names[0]}); shown only now, keep it secret:`);
      io.out(String(created.key));
      return 0;
    }
    if (cmd === "keys" && sub === "list" && args.length === 0) {
      const { keys } = (await api("auth/keys/list", {})) as { keys: { id: string; name: string; createdBy: string; createdAt: string; revokedAt: string | null }[] };
      io.out(table([["ID", "NAME", "CREATED BY", "CREATED", "REVOKED"], ...keys.map((k) => [k.id, k.name, k.createdBy, k.createdAt, k.revokedAt ?? ""])]));
      return 0;
    }
    if (cmd === "keys" && sub === "revoke" && args.length === 1) {
      const { revoked } = await api("auth/keys/revoke", { id: args[0] });
      io.out(revoked ? `revoked ${args[0]}` : `no active key ${args[0]}`);
      return revoked ? 0 : 1;
    }
    if ((cmd === "grant" || cmd === "ungrant") && sub !== undefined && args.length === 3) {
      const [project, domain, role] = args as [string, string, string];
      const r = await api(cmd === "grant" ? "auth/grants/add" : "auth/grants/remove", { principal: sub, project, domain, role });
      io.out(cmd === "grant" ? `granted ${role} in ${project}/${domain} to ${sub}` : r.removed ? `removed ${role} in ${project}/${domain} from ${sub}` : "no such grant");
      return 0;
    }
    if (cmd === "grants" && args.length === 0) {
      const { grants } = (await api("auth/grants/list", sub === undefined ? {} : { project: sub })) as { grants: { principal: string; project: string; domain: string; role: string }[] };
      io.out(table([["PRINCIPAL", "PROJECT", "DOMAIN", "ROLE"], ...grants.map((g) => [g.principal, g.project, g.domain, g.role])]));
      return 0;
    }
    throw new UsageError(usage);
  },
};

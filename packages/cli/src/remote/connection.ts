// How remote commands reach an Aloft (or flyteadmin) server: gRPC over h2c to --endpoint, ALOFT_ENDPOINT or the
// default of `aloft start`, plus the project and domain every command works in.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";
import { UsageError } from "../command.ts";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:8088";

export interface Remote {
  endpoint: string;
  project: string;
  domain: string;
  admin: Client<typeof service.AdminService>;
  dataProxy: Client<typeof service.DataProxyService>;
}

export interface CommonFlags {
  endpoint: string;
  project: string;
  domain: string;
}

/** Takes --endpoint, --project and --domain out of argv (value forms `--x v` and `--x=v`); returns the rest. */
export function takeCommonFlags(argv: string[], env: Record<string, string | undefined> = process.env): { flags: CommonFlags; rest: string[] } {
  const flags: CommonFlags = {
    endpoint: env.ALOFT_ENDPOINT ?? DEFAULT_ENDPOINT,
    project: env.ALOFT_PROJECT ?? "flytesnacks",
    domain: env.ALOFT_DOMAIN ?? "development",
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(endpoint|project|domain)(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (!value) throw new UsageError(`--${m[1]} needs a value`);
    flags[m[1] as keyof CommonFlags] = value;
  }
  if (!/^https?:\/\//.test(flags.endpoint)) throw new UsageError(`--endpoint must be an http:// or https:// URL, got ${JSON.stringify(flags.endpoint)}`);
  return { flags, rest };
}

export function connect(flags: CommonFlags): Remote {
  const transport = createGrpcTransport({ baseUrl: flags.endpoint });
  return { ...flags, admin: createClient(service.AdminService, transport), dataProxy: createClient(service.DataProxyService, transport) };
}

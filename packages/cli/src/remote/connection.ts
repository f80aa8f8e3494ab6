// How remote commands reach an Aloft (or flyteadmin) server: gRPC over h2c to --endpoint, ALOFT_ENDPOINT or the
// default of `aloft start`, plus the project and domain every command works in.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";
import { UsageError } from "../command.ts";
import { credential } from "./credentials.ts";

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

const NETWORK_CODES = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)\b/;

/** Turns "cannot connect" into an error that says where it tried and what to do; other errors pass as they are. */
function reachability(endpoint: string): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      const text = `${(e as Error).message} ${cause?.code ?? ""}`;
      if (e instanceof ConnectError && e.code === Code.Unavailable && NETWORK_CODES.test(text)) {
        const why = NETWORK_CODES.exec(text)![1];
        throw new ConnectError(
          `cannot reach an Aloft server at ${endpoint} (${why}): start one with \`aloft start\`, or point --endpoint (or ALOFT_ENDPOINT) at a running server`,
          Code.Unavailable,
        );
      }
      throw e;
    }
  };
}

/** Sends the API key or token of ALOFT_API_KEY / ALOFT_API_KEY_FILE (credentials.ts) with every call. */
function bearer(value: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${value}`);
    return next(req);
  };
}

export function connect(flags: CommonFlags): Remote {
  const key = credential();
  const transport = createGrpcTransport({ baseUrl: flags.endpoint, interceptors: [reachability(flags.endpoint), ...(key ? [bearer(key)] : [])] });
  return { ...flags, admin: createClient(service.AdminService, transport), dataProxy: createClient(service.DataProxyService, transport) };
}

// The server's authentication and audit API (server/src/auth/auth-route.ts): JSON POSTs with the caller's
// credential; errors carry the server's message.
import { UsageError } from "../command.ts";
import { authHeaders } from "./credentials.ts";

export class AuthApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "AuthApiError";
  }
}

export async function authApi(endpoint: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${endpoint.replace(/\/+$/, "")}/aloft/v1/${path}`, { method: "POST", headers: { "content-type": "application/json", ...authHeaders() }, body: JSON.stringify(body) });
  } catch (e) {
    throw new UsageError(`cannot reach an Aloft server at ${endpoint} (${(e as Error).message}): start one with \`aloft start --auth\`, or set --endpoint`);
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AuthApiError(res.status, `${path}: HTTP ${res.status}${res.status === 404 ? " (is authentication on? start the server with --auth)" : ""}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new AuthApiError(res.status, `${String(json.message ?? `HTTP ${res.status}`)}${res.status === 401 ? " (set ALOFT_API_KEY or ALOFT_API_KEY_FILE)" : ""}`);
  return json;
}

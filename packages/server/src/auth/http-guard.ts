// Authorization of the plain-HTTP routes beside the RPCs: the cache API (by the task's project and domain).
// Signed blob URLs carry their own authorization: a signature over path, method and expiry that only a caller
// allowed to call CreateUploadLocation / CreateDownloadLink (rules.ts) was given.
import type http from "node:http";
import type http2 from "node:http2";
import { InvalidArgumentError } from "../errors.ts";
import type { AuthService } from "./service.ts";
import { denied } from "./service.ts";
import { allows } from "./roles.ts";

type Req = http.IncomingMessage | http2.Http2ServerRequest;

export function headersOf(req: Req): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !k.startsWith(":")) h.set(k, v);
  return h;
}

function taskOf(op: string, body: Record<string, unknown>): string | undefined {
  const key = (op === "put" ? (body.entry as { key?: unknown } | undefined)?.key : body.key) as { task?: unknown } | undefined;
  const task = op === "recent" ? body.task : key?.task;
  return typeof task === "string" ? task : undefined;
}

export function cacheAuthorizer(auth: AuthService) {
  return async (req: Req, op: string, body: Record<string, unknown>): Promise<void> => {
    const principal = await auth.authenticate(headersOf(req));
    const task = taskOf(op, body);
    if (task === undefined) throw new InvalidArgumentError(op === "recent" ? "task: must be project/domain/name" : "key.task: must be project/domain/name");
    const [project = "", domain = ""] = task.split("/");
    const need = op === "put" || op === "delete" ? "write" : "read";
    const ok = allows(await auth.grantsOf(principal), need, project, domain);
    if (need === "write") auth.audit.record({ principal: principal.subject, action: `cache.${op}`, project, domain, resource: task, outcome: ok ? "OK" : "PERMISSION_DENIED" });
    if (!ok) throw denied(`${principal.subject} may not ${need} the cache of ${project}/${domain}`);
  };
}


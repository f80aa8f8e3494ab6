// The first organization admin of a server that has none: an API key written to `<dataDir>/admin-key` (0600),
// as the blob signing secret is. Its path is logged, never the key. Delete the file once other admins exist.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { AuthService } from "./service.ts";

export async function bootstrapAdminKey(auth: AuthService, dataDir: string, log: Logger): Promise<void> {
  const path = join(dataDir, "admin-key");
  if (existsSync(path)) return;
  if (auth.config.orgAdmins.length > 0) return;
  if ((await auth.grants.list()).some((g) => g.role === "org-admin")) return;
  const key = await auth.keys.create("bootstrap admin", "aloft start");
  await auth.grants.add({ principal: `key:${key.id}`, project: "*", domain: "*", role: "org-admin" }, "aloft start");
  writeFileSync(path, `${key.key}\n`, { mode: 0o600 });
  log.info({ path, keyId: key.id }, "authentication is on and nobody is an organization admin: an admin API key was written to this file");
}

// Roles per project and domain, and the one decision function. A grant names a principal, a project (or `*`), a
// domain (or `*`) and a role; each role includes the ones below it:
//   viewer      read: get, list, download
//   contributor register, launch, relaunch, terminate, signal, upload
//   admin       project settings (attributes, project update), execution events, the project's members
//   org-admin   everything, in every project: create projects, API keys, grants anywhere, the whole audit log
export type Role = "viewer" | "contributor" | "admin" | "org-admin";
export const ROLES: readonly Role[] = ["viewer", "contributor", "admin", "org-admin"];

/** What a call needs: no caller at all, any signed-in caller, a project role, or the organization admin. */
export type Need = "anonymous" | "authenticated" | "read" | "write" | "admin" | "org-admin";

export interface Grant {
  principal: string;
  project: string;
  domain: string;
  role: Role;
}

const rank: Record<Role, number> = { viewer: 1, contributor: 2, admin: 3, "org-admin": 4 };
const needed: Record<"read" | "write" | "admin", number> = { read: 1, write: 2, admin: 3 };

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export function isOrgAdmin(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.role === "org-admin");
}

/**
 * Whether grants allow `need` in a project and domain. A call scoped to a whole project (domain undefined) needs a
 * grant for every domain (`*`), except reads, which any grant in the project allows.
 */
export function allows(grants: readonly Grant[], need: "read" | "write" | "admin", project: string, domain: string | undefined): boolean {
  for (const g of grants) {
    if (g.role === "org-admin") return true;
    if (rank[g.role] < needed[need]) continue;
    if (g.project !== "*" && g.project !== project) continue;
    if (domain === undefined ? need === "read" || g.domain === "*" : g.domain === "*" || g.domain === domain) return true;
  }
  return false;
}

/** Projects a caller sees in lists: those it holds any grant in (`*` for all). */
export function visibleProjects(grants: readonly Grant[]): Set<string> | "all" {
  if (grants.some((g) => g.role === "org-admin" || g.project === "*")) return "all";
  return new Set(grants.map((g) => g.project));
}

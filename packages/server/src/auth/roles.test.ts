import { describe, expect, it } from "vitest";
import { allows, visibleProjects, type Grant } from "./roles.ts";

const g = (project: string, domain: string, role: Grant["role"]): Grant => ({ principal: "user:a", project, domain, role });

describe("roles", () => {
  it("each role includes the ones below it, within its project and domain", () => {
    const grants = [g("p", "development", "contributor")];
    expect(allows(grants, "read", "p", "development")).toBe(true);
    expect(allows(grants, "write", "p", "development")).toBe(true);
    expect(allows(grants, "admin", "p", "development")).toBe(false);
    expect(allows(grants, "read", "p", "production")).toBe(false);
    expect(allows(grants, "read", "q", "development")).toBe(false);
  });

  it("a whole-project call needs a grant for every domain, except reads", () => {
    expect(allows([g("p", "development", "admin")], "admin", "p", undefined)).toBe(false);
    expect(allows([g("p", "*", "admin")], "admin", "p", undefined)).toBe(true);
    expect(allows([g("p", "development", "viewer")], "read", "p", undefined)).toBe(true);
  });

  it("org admins may do everything and see every project", () => {
    const grants = [g("*", "*", "org-admin")];
    expect(allows(grants, "admin", "anything", "x")).toBe(true);
    expect(visibleProjects(grants)).toBe("all");
    expect(visibleProjects([g("p", "development", "viewer"), g("q", "*", "admin")])).toEqual(new Set(["p", "q"]));
  });

  it("the empty project (a request that names none) matches no project grant", () => {
    expect(allows([g("p", "*", "admin")], "read", "", "")).toBe(false);
  });
});

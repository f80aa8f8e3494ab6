// Every method of every service the server binds has an authorization rule whose project path exists in the
// request type: a new RPC without a rule fails here (and the guard refuses to start).
import { describe, expect, it } from "vitest";
import { serviceBindings } from "../services/bindings.ts";
import { rules } from "./rules.ts";
import { pathProblem } from "./scope.ts";
import type { AdminContext } from "../context.ts";

const bindings = serviceBindings(new Promise<AdminContext>(() => {}));

describe("authorization rules", () => {
  const methods = bindings.flatMap(({ service }) => service.methods.map((m) => ({ key: `${service.name}.${m.localName}`, method: m })));

  it.each(methods.map((m) => [m.key, m] as const))("%s has a rule whose scope fits its request", (key, { method }) => {
    const rule = rules[key];
    expect(rule, `add a rule for ${key} to auth/rules.ts`).toBeDefined();
    if (rule!.need === "read" || rule!.need === "write" || rule!.need === "admin") {
      expect(pathProblem(method.input, rule!.scope ?? "", rule!.projectField)).toBeUndefined();
    } else {
      expect(rule!.scope).toBeUndefined();
    }
    for (const path of rule!.reads ?? []) expect(pathProblem(method.input, path)).toBeUndefined();
  });

  it("has no rule for a method the server does not bind", () => {
    const known = new Set(methods.map((m) => m.key));
    expect(Object.keys(rules).filter((k) => !known.has(k))).toEqual([]);
  });

  it("leaves only login discovery anonymous", () => {
    expect(Object.entries(rules).filter(([, r]) => r.need === "anonymous").map(([k]) => k)).toEqual(["AuthMetadataService.getOAuth2Metadata", "AuthMetadataService.getPublicClientConfig"]);
  });
});

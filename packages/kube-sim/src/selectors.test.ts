import { describe, expect, it } from "vitest";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.ts";

const obj = (labels: Record<string, string>, phase = "Running") => ({ metadata: { name: "p", namespace: "ns", labels }, status: { phase } });

describe("label selectors", () => {
  it.each([
    ["app=web", { app: "web" }, true],
    ["app==web", { app: "db" }, false],
    ["app!=web", {}, true],
    ["tier in (a, b)", { tier: "b" }, true],
    ["tier notin (a,b)", { tier: "a" }, false],
    ["tier notin (a,b)", {}, true],
    ["app.kubernetes.io/managed-by=aloft,attempt", { "app.kubernetes.io/managed-by": "aloft", attempt: "0" }, true],
    ["!attempt", { attempt: "0" }, false],
  ])("%s on %j is %s", (selector, labels, expected) => {
    expect(parseLabelSelector(selector)(obj(labels))).toBe(expected);
  });
  it("rejects a malformed key", () => {
    expect(() => parseLabelSelector("bad key=x")).toThrow(SelectorError);
  });
});

describe("field selectors", () => {
  it("matches the pod fields kubelets and controllers use, and refuses others", () => {
    expect(parseFieldSelector("metadata.name=p,status.phase!=Succeeded")(obj({}))).toBe(true);
    expect(parseFieldSelector("status.phase=Succeeded")(obj({}))).toBe(false);
    expect(() => parseFieldSelector("spec.containers=x")).toThrow("field label not supported");
  });
});

import { describe, expect, it } from "vitest";
import { ErrorCodes as C, ErrorScope, formatCompileErrors } from "./errors.ts";

describe("ErrorScope", () => {
  it("counts errors in a scope and all its ancestors, but not in siblings", () => {
    const root = ErrorScope.root();
    const a = root.scope();
    const b = root.scope();
    a.scope().collect(C.ValueRequired, "n", "Value required [x].");
    expect(a.hasErrors()).toBe(true);
    expect(root.hasErrors()).toBe(true);
    expect(b.hasErrors()).toBe(false);
  });

  it("keeps one copy of identical errors and sorts by code, then message", () => {
    const root = ErrorScope.root();
    root.collect(C.ParameterNotBound, "n2", "Parameter not bound [b].");
    root.collect(C.MismatchingTypes, "n1", "x");
    root.collect(C.ParameterNotBound, "n1", "Parameter not bound [a].");
    root.collect(C.MismatchingTypes, "n1", "x");
    expect(root.list().map((e) => `${e.code}/${e.nodeId}`)).toEqual(["MismatchingTypes/n1", "ParameterNotBound/n1", "ParameterNotBound/n2"]);
  });

  it("formats errors the way Flyte prints a compile error set", () => {
    const root = ErrorScope.root();
    root.collect(C.CycleDetected, "start-node", "A cycle has been detected while traversing the Workflow [a>b>a].");
    expect(formatCompileErrors(root.list())).toBe(
      "Collected Errors: 1\n\tError 0: Code: CycleDetected, Node Id: start-node, Description: A cycle has been detected while traversing the Workflow [a>b>a].\n",
    );
  });

  it("orders messages by their UTF-8 bytes, as Go compares strings", () => {
    const root = ErrorScope.root();
    root.collect(C.ValueRequired, "n", "Value required [\u{1F600}].");
    root.collect(C.ValueRequired, "n", "Value required [\uFF5E].");
    // UTF-16 code units would put the emoji (a surrogate pair, 0xD83D...) first; its UTF-8 bytes (F0...) sort last.
    expect(root.list().map((e) => e.description)).toEqual(["Value required [\uFF5E].", "Value required [\u{1F600}]."]);
  });
});

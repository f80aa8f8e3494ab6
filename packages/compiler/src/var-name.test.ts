import { describe, expect, it } from "vitest";
import { parseVarName } from "./var-name.ts";

describe("parseVarName", () => {
  it("reads a plain output name", () => expect(parseVarName("o0")).toEqual({ name: "o0" }));
  it("reads an indexed output", () => expect(parseVarName("[3].o0")).toEqual({ name: "o0", index: 3 }));
  it("rejects an empty name", () => expect(parseVarName("")).toBeInstanceOf(Error));
  it("rejects a dotted path (two matches)", () => expect(parseVarName("a.b")).toBeInstanceOf(Error));
  it("rejects an index beyond int64", () => expect(parseVarName("[99999999999999999999].o")).toBeInstanceOf(Error));
});

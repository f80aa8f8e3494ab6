import { describe, expect, it } from "vitest";
import { base32Std, base36Shard, fixedLengthUniqueId, fnv1a32 } from "./unique-id.ts";

// Expected values are the ones Flyte's own tests pin (flyteplugins encoding, flytepropeller node utils).
describe("Flyte-compatible ids", () => {
  it("hashes with FNV-1a 32", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("abc") % 2).toBe(1);
    expect(fnv1a32("xyz") % 2).toBe(0);
  });

  it("keeps short ids and hashes long ones like Flyte", () => {
    expect(fixedLengthUniqueId(5, ["x"])).toBe("x");
    expect(fixedLengthUniqueId(20, ["xxxxxxxxxxxxxxxxxxxxxxxx"])).toBe("fuaa3aji");
    expect(fixedLengthUniqueId(10, ["x", "y", "z"])).toBe("x-y-z");
    expect(fixedLengthUniqueId(15, ["x", "y", "z", "m", "n", "y", "z", "m", "n", "y", "z", "m", "n"])).toBe("fe63sz6y");
    expect(fixedLengthUniqueId(20, ["u1", "2", "n1"])).toBe("u1-2-n1");
    expect(fixedLengthUniqueId(20, ["u1111111111323131231asdadasd", "2", "n1"])).toBe("fraibbty");
    expect(fixedLengthUniqueId(20, ["", "", "n0"])).toBe("n0");
  });

  it("refuses a max length too small for a hashed id", () => {
    expect(() => fixedLengthUniqueId(4, ["x", "y", "z"])).toThrow(/too small/);
  });

  it("encodes base32 like RFC 4648", () => {
    expect(base32Std(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI======");
    expect(base32Std(new Uint8Array(16)).length).toBe(32);
  });

  it("picks a two-character base36 shard", () => {
    expect(base36Shard("anything")).toMatch(/^[a-z0-9]{2}$/);
    expect(base36Shard("anything")).toBe(base36Shard("anything"));
  });
});

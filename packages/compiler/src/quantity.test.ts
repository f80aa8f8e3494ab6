import { describe, expect, it } from "vitest";
import { isValidQuantity } from "./quantity.ts";

describe("isValidQuantity", () => {
  const valid = ["0", "1", "500m", "0.5", "1.5Gi", "2Ki", "1e3", "1E", "-1", "+2k", ".5", "100M", "3Ei", "1e-3", "1."];
  const invalid = ["", "abc", "1Gb", "1 Gi", "1e", "1Ki5", "--1", "1.2.3", "1e99999999999999999999"];
  for (const v of valid) it(`accepts ${JSON.stringify(v)}`, () => expect(isValidQuantity(v)).toBe(true));
  for (const v of invalid) it(`rejects ${JSON.stringify(v)}`, () => expect(isValidQuantity(v)).toBe(false));
});

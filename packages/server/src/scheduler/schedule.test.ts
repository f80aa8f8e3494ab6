import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import { cronClock, rateClock } from "./schedule.ts";

const at = (iso: string) => new Date(iso).getTime();

describe("schedule clocks", () => {
  it("fires cron expressions in UTC unless a CRON_TZ prefix names an IANA zone, across DST", () => {
    expect(new Date(cronClock("0 9 * * *").next(at("2026-01-15T10:00:00Z"))).toISOString()).toBe("2026-01-16T09:00:00.000Z");
    const ny = cronClock("CRON_TZ=America/New_York 0 9 * * *");
    expect(new Date(ny.next(at("2026-01-15T10:00:00Z"))).toISOString()).toBe("2026-01-15T14:00:00.000Z"); // EST
    expect(new Date(ny.next(at("2026-07-15T10:00:00Z"))).toISOString()).toBe("2026-07-15T13:00:00.000Z"); // EDT
    expect(new Date(cronClock("@hourly").next(at("2026-01-15T10:20:00Z"))).toISOString()).toBe("2026-01-15T11:00:00.000Z");
  });

  it("rejects bad expressions and unknown zones, naming them", () => {
    expect(() => cronClock("61 * * * *")).toThrow(/invalid cron expression "61 \* \* \* \*"/);
    expect(() => cronClock("CRON_TZ=Mars/Olympus 0 9 * * *")).toThrow('unknown time zone "Mars/Olympus"');
    expect(() => cronClock("* * *")).toThrow("must have five fields");
  });

  it("fires fixed rates every period from the anchor", () => {
    const c = rateClock(create(admin.FixedRateSchema, { value: 15, unit: admin.FixedRateUnit.MINUTE }), at("2026-01-01T00:00:00Z"));
    expect(new Date(c.next(at("2026-01-01T00:00:00Z"))).toISOString()).toBe("2026-01-01T00:15:00.000Z");
    expect(new Date(c.next(at("2026-01-01T00:31:00Z"))).toISOString()).toBe("2026-01-01T00:45:00.000Z");
  });
});

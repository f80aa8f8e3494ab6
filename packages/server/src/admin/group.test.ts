import { describe, expect, it } from "vitest";
import { Group } from "./group.ts";

describe("Group (group commit of concurrent requests)", () => {
  it("flushes items submitted in the same task together (a commit's events are one flush)", async () => {
    const flushes: number[][] = [];
    const g = new Group<number, number>(async (items) => {
      flushes.push(items);
      return items.map((i) => i * 2);
    });
    expect(await Promise.all([1, 2, 3].map((i) => g.run(i)))).toEqual([2, 4, 6]);
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it("joins items that arrive during a flush into the next one, and fails only the item whose result is an error", async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new Group<number, number>(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) await gate;
      return items.map((i) => (i === 5 ? new Error("five refused") : i));
    });
    const first = g.run(1);
    await Promise.resolve();
    await Promise.resolve();
    const later = [4, 5, 6].map((i) => g.run(i).then((v) => v, (e: Error) => e.message));
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([4, "five refused", 6]);
    expect(flushes).toEqual([[1], [4, 5, 6]]);
  });
});

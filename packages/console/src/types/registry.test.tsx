// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "@testing-library/react";
import { equals } from "@bufbuild/protobuf";
import { core, lit, toLiteral, types } from "@aloft/idl";
import { handlerFor, LiteralView, typeLabel } from "./registry.tsx";
import { fieldLiteral, textFor, type FormInput } from "../launch/form-model.ts";

afterEach(cleanup);

const input = (type: core.LiteralType): FormInput => ({ name: "x", type, description: "", required: true, fixed: false });
const settings = types.struct({ type: "object", properties: { label: { type: "string" }, scale: { type: "number" } }, required: ["label", "scale"] });

// Every type the form enters, with a literal of it: literal → form text → literal must give the same literal.
const cases: [string, core.LiteralType, core.Literal][] = [
  ["integer", types.integer(), lit.integer(42)],
  ["big integer", types.integer(), lit.integer(2n ** 62n)],
  ["float", types.float(), lit.float(2.5)],
  ["string", types.string(), lit.string("héllo, world")],
  ["boolean", types.boolean(), lit.boolean(true)],
  ["datetime", types.datetime(), lit.datetime(new Date("2026-01-31T12:34:56.789Z"))],
  ["duration", types.duration(), lit.duration(90_500)],
  ["enum", types.enumOf(["red", "green"]), lit.string("green")],
  ["file", types.blob("csv"), lit.blob("s3://bucket/data.csv", { format: "csv" })],
  ["directory", types.blob("", "multipart"), lit.blob("s3://bucket/dir", { dimensionality: "multipart" })],
  ["structured dataset", types.structuredDataset("parquet"), toLiteral("s3://bucket/table", types.structuredDataset("parquet"))],
  ["list of integers", types.list(types.integer()), lit.collection([lit.integer(1), lit.integer(2)])],
  ["list of datetimes", types.list(types.datetime()), lit.collection([lit.datetime(new Date("2026-02-01T00:00:00Z"))])],
  ["map of floats", types.map(types.float()), lit.map({ a: lit.float(0.5), b: lit.float(-1) })],
  ["map of lists", types.map(types.list(types.string())), lit.map({ k: lit.collection([lit.string("v")]) })],
  ["struct", settings, lit.struct({ label: "week", scale: 2, nested: { deep: [1, 2] } })],
  ["optional integer set", types.optional(types.integer()), lit.union(lit.integer(7), types.integer())],
  ["optional struct", types.optional(settings), toLiteral({ label: "a", scale: 1 }, types.optional(settings))],
  ["union of integer and string", types.union(types.integer(), types.string()), toLiteral("text", types.union(types.integer(), types.string()))],
];

describe("type handlers", () => {
  it.each(cases)("%s round-trips from literal to form text and back", (_, type, literal) => {
    const text = textFor(literal, type);
    const back = fieldLiteral(input(type), text);
    expect(back.error).toBeUndefined();
    expect(equals(core.LiteralSchema, back.literal!, literal)).toBe(true);
  });

  it("has a handler for every type the form offers", () => {
    for (const [, type] of cases) expect(handlerFor(type)).toBeDefined();
  });

  it.each([
    ["integer", types.integer(), "2.5", '"2.5" is not an integer'],
    ["integer out of range", types.integer(), "9223372036854775808", "does not fit in 64 bits"],
    ["float", types.float(), "abc", '"abc" is not a number'],
    ["datetime", types.datetime(), "yesterday", "is not an ISO 8601 datetime"],
    ["enum", types.enumOf(["red", "green"]), "blue", "choose one of red, green"],
    ["file", types.blob("csv"), "data.csv", "is not a URI"],
    ["list", types.list(types.integer()), "[1, 2.5]", "[1]: 2.5 is not an integer"],
    ["list syntax", types.list(types.integer()), "[1, 2", "not valid JSON"],
    ["list given an object", types.list(types.integer()), "{}", "a list is a JSON array"],
    ["map value", types.map(types.float()), '{"a": "x"}', "x.a"],
    ["struct missing a field", settings, '{"label": "x"}', "missing required field scale"],
    ["struct given a list", settings, "[]", "a struct is a JSON object"],
  ])("refuses a bad %s, saying why", (_, type, text, message) => {
    const r = fieldLiteral(input(type), text);
    expect(r.literal).toBeUndefined();
    expect(r.error).toContain(message);
  });

  it("prints types readably", () => {
    expect(typeLabel(types.list(types.integer()))).toBe("list<integer>");
    expect(typeLabel(types.map(types.float()))).toBe("map<string, float>");
    expect(typeLabel(types.optional(types.string()))).toBe("string?");
    expect(typeLabel(types.blob("csv"))).toBe("blob(csv, single)");
  });
});

describe("value rendering", () => {
  const shown = (literal: core.Literal, type: core.LiteralType | undefined) => render(<LiteralView literal={literal} type={type} />).container;

  it("shows a list item by item and a map as keys and values", () => {
    const list = shown(lit.collection([lit.integer(10), lit.integer(20)]), types.list(types.integer()));
    expect([...list.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["10", "20"]);
    const map = shown(lit.map({ a: lit.float(0.5) }), types.map(types.float()));
    expect(map.querySelector("dt")?.textContent).toBe("a");
    expect(map.querySelector("dd")?.textContent).toBe("0.5");
  });

  it("shows a struct as JSON, a file with a download button, a missing optional as none, a datetime in ISO", () => {
    expect(JSON.parse(shown(lit.struct({ label: "x", scale: 2 }), settings).querySelector("pre")!.textContent!)).toEqual({ label: "x", scale: 2 });
    const file = shown(lit.blob("s3://b/f.csv", { format: "csv" }), types.blob("csv"));
    expect(file.textContent).toContain("s3://b/f.csv");
    expect(file.querySelector("button")?.getAttribute("aria-label")).toBe("Download s3://b/f.csv");
    expect(shown(lit.union(lit.none(), types.none()), types.optional(types.integer())).textContent).toBe("none");
    expect(shown(lit.datetime(new Date("2026-01-31T12:00:00Z")), types.datetime()).querySelector("time")?.getAttribute("datetime")).toBe("2026-01-31T12:00:00.000Z");
  });

  it("prints a literal that does not fit its type as Flyte writes it, instead of failing", () => {
    expect(shown(lit.string("oops"), types.integer()).textContent).toContain("oops");
    expect(shown(lit.integer(3), undefined).textContent).toContain("3");
  });
});

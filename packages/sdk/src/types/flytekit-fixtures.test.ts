// Types written by flytekit (the flytesnacks task interfaces in the shared Flyte fixtures) must all be readable
// by the SDK's registry: each gets a transformer whose declared type prints the same.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { admin, core, formatLiteralType } from "@aloft/idl";
import { describe, expect, it } from "vitest";
import { schemaFor } from "./registry.ts";

const dir = "/work/shared/flyte-fixtures/compiler/snacks-core";
const present = existsSync(dir);

describe.skipIf(!present)(`flytekit task interfaces (${present ? dir : "fixtures absent: /work/shared/flyte-fixtures not mounted"})`, () => {
  it("finds a transformer for every input and output type", () => {
    const seen = new Map<string, string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith("_1.pb"))) {
      const spec = fromBinary(admin.TaskSpecSchema, readFileSync(join(dir, f)));
      const iface = spec.template?.interface;
      for (const [side, vars] of [["input", iface?.inputs?.variables], ["output", iface?.outputs?.variables]] as const) {
        for (const [name, v] of Object.entries(vars ?? {})) {
          const where = `${f} ${side} ${name}`;
          const lt = v.type!;
          // Legacy FlyteSchema (pre-StructuredDataset) has no transformer; it must be refused by name.
          if (lt.type.case === "schema") {
            expect(() => schemaFor(lt), where).toThrow(/no transformer for schema/);
            continue;
          }
          const printed = formatLiteralType(lt);
          expect(formatLiteralType(schemaFor(lt).literalType()), where).toBe(printed);
          seen.set(printed, where);
        }
      }
    }
    // The corpus covers the common shapes; make sure this test actually looked at them.
    const kinds = [...seen.keys()].join(" ");
    for (const k of ["integer", "float", "string", "boolean", "datetime", "blob(", "list<", "structured_dataset", "struct"]) expect(kinds).toContain(k);
  });

  it("reads struct types with their JSON schema untouched", () => {
    const f = readdirSync(dir).find((f) => f.includes("custom_objects.add_1"))!;
    const spec = fromBinary(admin.TaskSpecSchema, readFileSync(join(dir, f)));
    const lt = Object.values(spec.template!.interface!.inputs!.variables)[0]!.type!;
    expect(lt.type).toEqual({ case: "simple", value: core.SimpleType.STRUCT });
    expect(schemaFor(lt).literalType().metadata).toEqual(lt.metadata);
  });
});

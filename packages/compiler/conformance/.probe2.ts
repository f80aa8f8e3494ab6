import { readFileSync } from "node:fs";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { compileTask, compileWorkflow, getRequirements } from "../src/index.ts";
const dir = "../shared/flyte-fixtures/compiler/snacks-core";
const f = process.argv[2]!;
const c = fromBinary(core.WorkflowClosureSchema, readFileSync(`${dir}/${f}`));
const wf = c.workflow!;
console.log(JSON.stringify(toJson(core.WorkflowTemplateSchema, wf)).slice(0, 3000));

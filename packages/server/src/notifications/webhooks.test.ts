import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import pino from "pino";
import { admin, core } from "@aloft/idl";
import { webhookNotifier } from "./webhooks.ts";

const received: { phase: string; execution: { id: { name: string } } }[] = [];
let failFirst = true;
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    // The first delivery fails, to show the retry.
    if (failFirst) {
      failFirst = false;
      res.writeHead(503).end();
      return;
    }
    received.push(JSON.parse(body));
    res.writeHead(204).end();
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const execution = (name: string, phase: core.WorkflowExecution_Phase) =>
  create(admin.ExecutionSchema, { id: { project: "p", domain: "d", name }, closure: { phase } });

describe("webhook notifications", () => {
  it("posts the execution for configured phases only, retrying a failed delivery", async () => {
    const notify = webhookNotifier([{ url, phases: ["FAILED"] }], pino({ level: "silent" }));
    notify(execution("ok-run", core.WorkflowExecution_Phase.SUCCEEDED), core.WorkflowExecution_Phase.RUNNING);
    notify(execution("bad-run", core.WorkflowExecution_Phase.FAILED), core.WorkflowExecution_Phase.RUNNING);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received.map((r) => [r.phase, r.execution.id.name])).toEqual([["FAILED", "bad-run"]]);
  });
});

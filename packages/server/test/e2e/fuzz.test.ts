// Mutated request bodies over every transport (issue 17, item 6): Connect (binary and JSON), gRPC-Web, gRPC
// over HTTP/2 and REST. A malformed request is the client's error — never a 5xx, INTERNAL or UNKNOWN.
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary, toJsonString, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { admin, service } from "@aloft/idl";
import { startHarness, type Harness } from "../harness.ts";
import { echoEntities } from "../fixtures/echo.ts";

let h: Harness;
let session: http2.ClientHttp2Session;
beforeAll(async () => {
  h = await startHarness();
  await h.ctx.db.insertInto("admin_projects").values({ identifier: "fz", name: "fz", description: "", labels: null, state: 0, org: "", created_at: new Date(), updated_at: new Date() }).execute();
  session = http2.connect(h.server.url);
});
afterAll(async () => {
  session?.close();
  await h?.close();
});

// A small deterministic generator, so a failure names a reproducible case.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const e = echoEntities("fz", "development", "v1");
interface Seed {
  method: string;
  schema: DescMessage;
  value: MessageInitShape<DescMessage>;
  rest?: { verb: string; path: string };
}
const seeds: Seed[] = [
  { method: "CreateTask", schema: admin.TaskCreateRequestSchema, value: e.task, rest: { verb: "POST", path: "/api/v1/tasks" } },
  { method: "RegisterProject", schema: admin.ProjectRegisterRequestSchema, value: { project: { id: "fzp", name: "fuzz project", labels: { values: { a: "b" } } } }, rest: { verb: "POST", path: "/api/v1/projects" } },
  { method: "ListTasks", schema: admin.ResourceListRequestSchema, value: { id: { project: "fz", domain: "development", name: "echo.t" }, limit: 10, token: "5", filters: "eq(version,v1)+value_in(version,a;b)" } },
  { method: "ListExecutions", schema: admin.ResourceListRequestSchema, value: { id: { project: "fz", domain: "development" }, limit: 10, filters: "gte(execution_created_at,2026-01-01T00:00:00Z)+eq(phase,SUCCEEDED)" } },
  { method: "GetExecution", schema: admin.WorkflowExecutionGetRequestSchema, value: { id: { project: "fz", domain: "development", name: "abc" } } },
];

function mutateBytes(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = [...bytes];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = Math.floor(r() * 5);
    if (op === 0 && out.length > 0) out[at % out.length] = Math.floor(r() * 256);
    else if (op === 1) out.splice(at, 0, Math.floor(r() * 256));
    else if (op === 2) out.length = at;
    else if (op === 3) out.splice(at, Math.floor(r() * 8));
    else out.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0x0f);
  }
  return Uint8Array.from(out);
}

const nasty = ["\u0000", "3000000000", "99999999999999999999", "-1", "1e400", '"', "{", "]", "null", "\\u0000", "😀", ";;;;", "value_in(phase,", ")"];
function mutateText(text: string, r: () => number): string {
  let out = text;
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = Math.floor(r() * 4);
    if (op === 0) out = out.slice(0, at) + nasty[Math.floor(r() * nasty.length)]! + out.slice(at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(r() * 6));
    else if (op === 2) out = out.replace(/"[^"]*"/, `"${nasty[Math.floor(r() * nasty.length)]}"`);
    else out = out.replace(/\d+/, nasty[1 + Math.floor(r() * 3)]!);
  }
  return out;
}

const envelope = (b: Uint8Array) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(b.length, 1);
  return Buffer.concat([head, b]);
};
const rpc = (m: string) => `${h.server.url}/flyteidl.service.AdminService/${m}`;

/** Status and gRPC status (from headers, trailers or the gRPC-Web trailer frame) of one call. */
type Outcome = { status: number; grpc?: string; what: string };

async function viaFetch(url: string, method: string, type: string, body: Uint8Array | string | undefined, what: string): Promise<Outcome> {
  const res = await fetch(url, { method, headers: { "content-type": type }, ...(body !== undefined ? { body } : {}) });
  const bytes = Buffer.from(await res.arrayBuffer());
  let grpc = res.headers.get("grpc-status") ?? undefined;
  if (type.startsWith("application/grpc-web")) {
    for (let i = 0; i + 5 <= bytes.length; ) {
      const len = bytes.readUInt32BE(i + 1);
      if (bytes[i] === 0x80) grpc = /grpc-status: ?(\d+)/.exec(bytes.subarray(i + 5, i + 5 + len).toString())?.[1];
      i += 5 + len;
    }
  }
  return { status: res.status, ...(grpc !== undefined ? { grpc } : {}), what };
}

/** Over HTTP/2: gRPC (enveloped, status in trailers) or Connect unary (`application/proto`). */
function viaH2(method: string, body: Uint8Array, what: string, type = "application/grpc"): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": `/flyteidl.service.AdminService/${method}`, "content-type": type, te: "trailers" });
    let status = 0;
    let grpc: string | undefined;
    req.on("response", (hdrs) => {
      status = Number(hdrs[":status"]);
      if (hdrs["grpc-status"] !== undefined) grpc = String(hdrs["grpc-status"]);
    });
    req.on("trailers", (t) => (grpc = String(t["grpc-status"])));
    req.on("data", () => {});
    req.on("end", () => resolve({ status, ...(grpc !== undefined ? { grpc } : {}), what }));
    req.on("error", reject);
    req.end(type === "application/grpc" ? envelope(body) : body);
  });
}

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

describe("fuzzed request bodies", () => {
  it("answers thousands of mutated Connect, gRPC-Web, gRPC and REST bodies without a 5xx, INTERNAL or UNKNOWN", async () => {
    const r = rng(17);
    const jobs: (() => Promise<Outcome>)[] = [];
    const PER_SEED = 100;
    for (const seed of seeds) {
      const bin = toBinary(seed.schema, create(seed.schema, seed.value));
      const json = toJsonString(seed.schema, create(seed.schema, seed.value));
      for (let i = 0; i < PER_SEED; i++) {
        const b = mutateBytes(bin, r);
        const t = mutateText(json, r);
        const what = `${seed.method} #${i}`;
        jobs.push(() => viaFetch(rpc(seed.method), "POST", "application/proto", b, `connect-proto ${what}`));
        jobs.push(() => viaFetch(rpc(seed.method), "POST", "application/json", t, `connect-json ${what} ${JSON.stringify(t)}`));
        jobs.push(() => viaFetch(rpc(seed.method), "POST", "application/grpc-web+proto", envelope(b), `grpc-web ${what}`));
        jobs.push(() => viaH2(seed.method, b, `grpc ${what}`));
        jobs.push(() => viaH2(seed.method, b, `connect-proto-h2 ${what}`, "application/proto"));
        if (seed.rest) {
          jobs.push(() => viaFetch(h.server.url + seed.rest!.path, seed.rest!.verb, "application/json", t, `rest ${what} ${JSON.stringify(t)}`));
          jobs.push(() => viaFetch(h.server.url + seed.rest!.path, seed.rest!.verb, "application/octet-stream", b, `rest-binary ${what}`));
        }
        else {
          const q = mutateText("limit=10&token=5&filters=eq(version,v1)+value_in(version,a;b)&sort_by.key=created_at", r);
          jobs.push(() => viaFetch(`${h.server.url}/api/v1/tasks/fz/development?${q.replace(/[\u0000-\u001f ]/g, (c) => encodeURIComponent(c))}`, "GET", "application/json", undefined, `rest-get ${what} ${JSON.stringify(q)}`));
        }
      }
    }
    const t0 = performance.now();
    const outcomes = await pool(jobs, 16);
    const bad = outcomes.filter((o) => o.status >= 500 || o.grpc === "13" || o.grpc === "2");
    console.log(`${outcomes.length} mutated requests in ${Math.round(performance.now() - t0)} ms; ${bad.length} server errors`);
    expect(outcomes.length).toBeGreaterThan(2000);
    expect(bad.slice(0, 5)).toEqual([]);
  }, 60_000);
});

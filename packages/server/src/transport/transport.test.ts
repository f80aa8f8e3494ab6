import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import pino from "pino";
import { NotFoundError } from "../errors.ts";
import { createHttpHandler } from "./http-handler.ts";
import { listen, type Listener } from "./listen.ts";
import type { ServiceBinding } from "./binding.ts";

// A binding with two real AdminService methods: one answering, one failing, to pin what every transport does.
const bindings: ServiceBinding[] = [
  {
    service: service.AdminService,
    handlers: {
      getVersion: async () => create(admin.GetVersionResponseSchema, { controlPlaneVersion: { Version: "v-test" } }),
      getTask: async (req) => {
        const id = (req as admin.ObjectGetRequest).id;
        throw new NotFoundError(`task ${id?.name} not found`);
      },
      // A real server fault (not an AdminError): INTERNAL, logged with an id the client is given.
      listProjects: async () => {
        throw new TypeError("cannot read properties of undefined");
      },
      listTasks: async (req) => {
        const r = req as admin.ResourceListRequest;
        return create(admin.TaskListSchema, { token: `${r.id?.project}|${r.id?.domain}|${r.limit}|${r.filters}|${r.sortBy?.key}|${r.sortBy?.direction}` });
      },
    },
  },
];

const logged: { errorId?: string; msg?: string }[] = [];
let server: Listener;
let base: string;
beforeAll(async () => {
  server = await listen({ host: "127.0.0.1", port: 0, handler: createHttpHandler({ bindings, maxMessageBytes: 1024, log: pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) }) }) });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => server.close());

describe("one port for every protocol", () => {
  it("serves HTTP/2 whose connection preface arrives a few bytes at a time", async () => {
    // The client's first bytes trickle in: the sniffer must wait for the whole preface, then hand them all over.
    const socket = net.connect(server.port, "127.0.0.1");
    const write = socket.write.bind(socket);
    let first = true;
    socket.write = ((chunk: Buffer, ...rest: never[]) => {
      if (!first) return write(chunk, ...rest);
      first = false;
      const bytes = Buffer.from(chunk);
      for (let i = 0; i < bytes.length; i += 5) setTimeout(() => write(bytes.subarray(i, i + 5)), i);
      setTimeout(() => (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.(), bytes.length + 5);
      return true;
    }) as typeof socket.write;
    const session = http2.connect(base, { createConnection: () => socket });
    try {
      const req = session.request({ ":path": "/no/such/route", ":method": "GET" });
      const status = await new Promise<number>((resolve, reject) => {
        req.on("response", (h) => resolve(Number(h[":status"])));
        req.on("error", reject);
      });
      req.close();
      expect(status).toBe(404);
    } finally {
      session.close();
    }
  });

  it("answers gRPC over h2c, Connect and gRPC-Web over HTTP/1.1", async () => {
    for (const transport of [
      createGrpcTransport({ baseUrl: base }),
      createConnectTransport({ baseUrl: base, httpVersion: "1.1" }),
      createConnectTransport({ baseUrl: base, httpVersion: "2" }),
      createGrpcWebTransport({ baseUrl: base, httpVersion: "1.1" }),
    ]) {
      const client = createClient(service.AdminService, transport);
      const res = await client.getVersion({});
      expect(res.controlPlaneVersion?.Version).toBe("v-test");
    }
  });

  it("maps a NOT_FOUND error to gRPC NotFound and HTTP 404 with the message", async () => {
    const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: base }));
    const err = await client.getTask({ id: { project: "p", domain: "d", name: "t", version: "v" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    expect((err as ConnectError).rawMessage).toBe("task t not found");
    const res = await fetch(`${base}/api/v1/tasks/p/d/t/v`);
    expect(res.status).toBe(404);
    expect((await res.json()) as any).toEqual({ code: 5, message: "task t not found", details: [] });
  });

  it("reports a server fault as INTERNAL with an error id that is also in the log, on gRPC, Connect and REST", async () => {
    const ids: string[] = [];
    for (const transport of [createGrpcTransport({ baseUrl: base }), createConnectTransport({ baseUrl: base, httpVersion: "1.1" })]) {
      const err = (await createClient(service.AdminService, transport).listProjects({}).catch((e) => e)) as ConnectError;
      expect(err.code).toBe(Code.Internal);
      const id = err.metadata.get("x-aloft-error-id")!;
      expect(id).toMatch(/^[0-9a-f]{12}$/);
      expect(err.rawMessage).toContain(`(error id ${id})`);
      ids.push(id);
    }
    const res = await fetch(`${base}/api/v1/projects`);
    expect(res.status).toBe(500);
    ids.push(res.headers.get("x-aloft-error-id")!);
    expect(((await res.json()) as any).message).toContain(`error id ${ids[2]}`);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(logged.some((l) => l.errorId === id && l.msg?.includes("cannot read properties"))).toBe(true);
  });

  it("answers methods without a handler with UNIMPLEMENTED on gRPC and 501 on REST", async () => {
    const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: base }));
    const err = await client.getWorkflow({}).catch((e) => e);
    expect((err as ConnectError).code).toBe(Code.Unimplemented);
    expect((await fetch(`${base}/api/v1/workflows/p/d/n/v`)).status).toBe(501);
  });
});

describe("REST gateway", () => {
  it("serves GET /api/v1/version as protobuf JSON with proto field names", async () => {
    const res = await fetch(`${base}/api/v1/version`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.control_plane_version.Version).toBe("v-test");
    // Unpopulated fields are emitted, as flyteadmin's gateway does.
    expect(body.control_plane_version.Build).toBe("");
  });

  it("fills path parameters, typed query parameters and nested query fields, choosing the matching binding", async () => {
    const res = await fetch(`${base}/api/v1/tasks/proj/dev?limit=7&filters=${encodeURIComponent("eq(phase,SUCCEEDED)")}&sort_by.key=created_at&sort_by.direction=ASCENDING`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).token).toBe("proj|dev|7|eq(phase,SUCCEEDED)|created_at|1");
  });

  it("rejects an unknown query parameter naming it", async () => {
    const res = await fetch(`${base}/api/v1/tasks/proj/dev?colour=red`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toContain("colour");
  });

  it("rejects a wrong verb with 405 and an unknown path with 404", async () => {
    expect((await fetch(`${base}/api/v1/version`, { method: "DELETE" })).status).toBe(405);
    expect((await fetch(`${base}/api/v1/nothing-here`)).status).toBe(404);
  });

  it("answers binary protobuf when asked for application/octet-stream", async () => {
    const res = await fetch(`${base}/api/v1/version`, { headers: { accept: "application/octet-stream" } });
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const { fromBinary } = await import("@bufbuild/protobuf");
    const msg = fromBinary(admin.GetVersionResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(msg.controlPlaneVersion?.Version).toBe("v-test");
  });

  it("rejects an oversized body with 429 RESOURCE_EXHAUSTED and over gRPC too", async () => {
    const big = JSON.stringify({ id: { project: "x".repeat(5000) } });
    const res = await fetch(`${base}/api/v1/tasks`, { method: "POST", body: big, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(429);
    expect(((await res.json()) as any).message).toContain("exceeds the limit of 1024 bytes");
    const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: base }));
    const err = await client.getVersion(create(admin.GetVersionRequestSchema, {})).then(() => undefined);
    expect(err).toBeUndefined();
    const tooBig = await client.getTask({ id: create(core.IdentifierSchema, { name: "x".repeat(5000) }) }).catch((e) => e);
    expect((tooBig as ConnectError).code).toBe(Code.ResourceExhausted);
  });
});

// CreateUploadLocation as flytekit's uploader uses it, against a real server and filesystem blob store.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";
import { startHarness, type Harness } from "../../test/harness.ts";

let h: Harness;
let proxy: Client<typeof service.DataProxyService>;
beforeAll(async () => {
  h = await startHarness();
  proxy = createClient(service.DataProxyService, createGrpcTransport({ baseUrl: h.server.url }));
});
afterAll(async () => h?.close());

const md5 = (b: Buffer) => createHash("md5").update(b).digest();

describe("CreateUploadLocation", () => {
  it("signs a PUT at Flyte's native URL that accepts only the content with the signed MD5", async () => {
    const body = Buffer.from("fast-register bundle");
    const loc = await proxy.createUploadLocation({ project: "p", domain: "development", contentMd5: md5(body), filename: "bundle.tgz" });
    expect(loc.nativeUrl).toMatch(/\/uploads\/p\/development\/[A-Z2-7=]+\/bundle\.tgz$/);
    expect(loc.headers["Content-MD5"]).toBe(md5(body).toString("base64"));
    const tampered = await fetch(loc.signedUrl, { method: "PUT", headers: loc.headers, body: Buffer.from("something else") });
    expect(tampered.status).toBe(400);
    const ok = await fetch(loc.signedUrl, { method: "PUT", headers: loc.headers, body });
    expect(ok.status).toBe(200);
    expect(Buffer.from((await h.ctx.blobs.get(loc.nativeUrl))!).toString()).toBe("fast-register bundle");
    const dl = await proxy.createDownloadLocation({ nativeUrl: loc.nativeUrl });
    expect(await (await fetch(dl.signedUrl)).text()).toBe("fast-register bundle");
  });

  it("refuses to overwrite a file under a filename root with different content, and validates its fields", async () => {
    const a = Buffer.from("first");
    const loc = await proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: "root1", filename: "f.txt", contentMd5: md5(a) });
    expect((await fetch(loc.signedUrl, { method: "PUT", headers: loc.headers, body: a })).status).toBe(200);
    await proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: "root1", filename: "f.txt", contentMd5: md5(a) });
    const clash = await proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: "root1", filename: "f.txt", contentMd5: md5(Buffer.from("second")) }).catch((e) => e);
    expect((clash as ConnectError).code).toBe(Code.AlreadyExists);
    const none = await proxy.createUploadLocation({ project: "p", domain: "development" }).catch((e) => e);
    expect((none as ConnectError).rawMessage).toBe("content_md5 or filename_root is a required parameter");
    const long = await proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: "r", expiresIn: { seconds: 7200n } }).catch((e) => e);
    expect((long as ConnectError).rawMessage).toContain("expires_in cannot exceed");
  });
});

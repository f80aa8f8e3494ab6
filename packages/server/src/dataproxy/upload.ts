// DataProxyService, as flyteadmin's: signed PUT URLs for uploads (fast-registration bundles, flytekit's
// remote inputs) at a native URI derived from the content MD5 or a filename root, refusing to overwrite an
// existing file with different content; signed GET URLs for downloads.
import { createHash } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, service } from "@aloft/idl";
import { AlreadyExistsError, InvalidArgumentError, UnimplementedError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { requirePresent, requireString } from "../admin/validate.ts";
import { randomExecutionName } from "../admin/executions/naming.ts";

export const MAX_EXPIRES_SECONDS = 3600;

function expirySeconds(d: { seconds: bigint; nanos: number } | undefined, field: string): number {
  if (!d) return MAX_EXPIRES_SECONDS;
  const ms = durationMs(d as never);
  if (!(ms > 0)) throw new InvalidArgumentError(`${field} must be positive`);
  if (ms > MAX_EXPIRES_SECONDS * 1000) throw new InvalidArgumentError(`${field} cannot exceed the maximum of ${MAX_EXPIRES_SECONDS}s`);
  return Math.ceil(ms / 1000);
}

/**
 * Each name becomes path segments of the upload's URI. A `.`, `..` or empty segment would be normalized away when
 * the file is written, so the bytes would land somewhere other than the signed URL says (a file at
 * `uploads/<project>/<domain>` breaks every later upload there), hence refused here, before anything is signed.
 */
function checkSegments(value: string, field: string, slashes: boolean): void {
  const segments = slashes ? value.split("/") : [value];
  if (!slashes && value.includes("/")) throw new InvalidArgumentError(`${field} must not contain "/", got ${JSON.stringify(value)}`);
  for (const s of segments) {
    if (s === "" || s === "." || s === "..") throw new InvalidArgumentError(`${field} must not have empty, "." or ".." path segments, got ${JSON.stringify(value)}`);
    if (s.includes("\0") || s.includes("\\")) throw new InvalidArgumentError(`${field} must not contain NUL or "\\", got ${JSON.stringify(value)}`);
  }
}

export async function createUploadLocation(ctx: AdminContext, req: service.CreateUploadLocationRequest): Promise<service.CreateUploadLocationResponse> {
  if (!req.project || !req.domain) throw new InvalidArgumentError("project and domain are required parameters");
  checkSegments(req.project, "project", false);
  checkSegments(req.domain, "domain", false);
  if (req.org) checkSegments(req.org, "org", false);
  if (req.filenameRoot) checkSegments(req.filenameRoot, "filename_root", true);
  if (req.filename) checkSegments(req.filename, "filename", false);
  if (!req.filenameRoot && req.contentMd5.length === 0) throw new InvalidArgumentError("content_md5 or filename_root is a required parameter");
  const md5b64 = req.contentMd5.length > 0 ? Buffer.from(req.contentMd5).toString("base64") : undefined;
  if (req.filename && req.filenameRoot) {
    const known = ctx.layout.uploadLocation({ project: req.project, domain: req.domain, org: req.org, filenameRoot: req.filenameRoot, filename: req.filename });
    const head = await ctx.blobs.head(known);
    if (head) {
      const digest = Buffer.from(req.contentMd5);
      const matches = md5b64 !== undefined && (await sameContent(ctx, known, head.etag, digest));
      if (!matches) throw new AlreadyExistsError(`file already exists at location [${known}], specify a matching hash if you wish to rewrite`);
    }
  }
  const expires = expirySeconds(req.expiresIn, "expires_in");
  // flyteadmin picks a random file name when the client sends none.
  const filename = req.filename || randomExecutionName();
  const nativeUrl = ctx.layout.uploadLocation({
    project: req.project,
    domain: req.domain,
    org: req.org,
    ...(req.filenameRoot ? { filenameRoot: req.filenameRoot } : {}),
    ...(req.contentMd5.length > 0 ? { contentMd5: req.contentMd5 } : {}),
    filename,
  });
  const signed = await ctx.blobs.signedUrl(nativeUrl, { method: "PUT", expiresInSeconds: expires, ...(md5b64 ? { contentMd5: md5b64 } : {}) });
  return create(service.CreateUploadLocationResponseSchema, {
    signedUrl: signed.url,
    nativeUrl,
    expiresAt: timestampFromDate(signed.expiresAt),
    headers: signed.headers,
  });
}

// An S3 ETag is the MD5 of a single-part object; a filesystem store has none (and multipart ETags are not
// MD5s), so the stored bytes are hashed. Without this, re-running `pyflyte run --remote … --f same.txt`
// failed: the identical upload was refused with ALREADY_EXISTS.
async function sameContent(ctx: AdminContext, uri: string, etag: string | undefined, digest: Buffer): Promise<boolean> {
  if (etag !== undefined && [digest.toString("hex"), digest.toString("base64")].includes(etag)) return true;
  const hash = createHash("md5");
  for await (const chunk of await ctx.blobs.openRead(uri)) hash.update(chunk as Buffer);
  return hash.digest().equals(digest);
}

export async function createDownloadLocation(ctx: AdminContext, req: service.CreateDownloadLocationRequest): Promise<service.CreateDownloadLocationResponse> {
  const uri = requireString(req.nativeUrl, "native_url");
  const expires = expirySeconds(req.expiresIn, "expires_in");
  const signed = await ctx.blobs.signedUrl(uri, { method: "GET", expiresInSeconds: expires });
  return create(service.CreateDownloadLocationResponseSchema, { signedUrl: signed.url, expiresAt: timestampFromDate(signed.expiresAt) });
}

export async function createDownloadLink(ctx: AdminContext, req: service.CreateDownloadLinkRequest): Promise<service.CreateDownloadLinkResponse> {
  const expires = expirySeconds(req.expiresIn, "expires_in");
  if (req.source.case !== "nodeExecutionId") throw new InvalidArgumentError("source: node_execution_id is required");
  if (req.artifactType !== service.ArtifactType.DECK) throw new UnimplementedError(`artifact_type ${service.ArtifactType[req.artifactType]} is not supported; only ARTIFACT_TYPE_DECK is`);
  const id = requirePresent(req.source.value, "source.node_execution_id");
  const exec = requirePresent(id.executionId, "source.node_execution_id.execution_id");
  const row = await ctx.db.selectFrom("admin_node_executions").select(["closure"]).where("project", "=", exec.project).where("domain", "=", exec.domain).where("name", "=", exec.name).where("node_id", "=", id.nodeId).executeTakeFirst();
  if (!row) throw new InvalidArgumentError(`source.node_execution_id: node execution ${id.nodeId} not found`);
  const deck = fromBinary(admin.NodeExecutionClosureSchema, row.closure).deckUri;
  if (!deck) throw new InvalidArgumentError(`node execution ${id.nodeId} has no deck`);
  const signed = await ctx.blobs.signedUrl(deck, { method: "GET", expiresInSeconds: expires });
  return create(service.CreateDownloadLinkResponseSchema, { signedUrl: [signed.url], expiresAt: timestampFromDate(signed.expiresAt), preSignedUrls: { signedUrl: [signed.url], expiresAt: timestampFromDate(signed.expiresAt) } });
}

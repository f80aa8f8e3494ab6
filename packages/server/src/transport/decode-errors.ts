// Connect's handlers report a request body they cannot decode (malformed protobuf, a broken compressed body) as
// INTERNAL. To a client it is a malformed request, which gRPC (and flyteadmin) answer with INVALID_ARGUMENT. The
// status is rewritten where Connect writes it: gRPC in the headers of a trailers-only response or in the
// trailers, gRPC-Web in its trailer frame, Connect unary in the JSON error body (and the HTTP status).
import type http from "node:http";
import type http2 from "node:http2";

type Res = http.ServerResponse | http2.Http2ServerResponse;

/** Messages of errors Connect raises while decoding a request; anything else INTERNAL stays INTERNAL. */
const decodeError = /^(parse binary|decompression failed|invalid gzip|protocol error)/;

function isDecodeMessage(grpcMessage: string): boolean {
  let m = grpcMessage;
  try {
    m = decodeURIComponent(grpcMessage);
  } catch {
    // not percent-encoded
  }
  return decodeError.test(m);
}

function fixGrpcStatus(headers: Record<string, unknown> | undefined): void {
  if (headers && String(headers["grpc-status"]) === "13" && isDecodeMessage(String(headers["grpc-message"] ?? ""))) headers["grpc-status"] = "3";
}

/** The gRPC-Web trailer frame (flag 0x80): HTTP/1-style header lines carrying grpc-status. */
function fixGrpcWebFrame(chunk: Uint8Array): Uint8Array {
  if (chunk.length < 5 || chunk[0] !== 0x80) return chunk;
  const text = Buffer.from(chunk.subarray(5)).toString("latin1");
  const message = /grpc-message: ?([^\r\n]*)/i.exec(text)?.[1] ?? "";
  if (!/grpc-status: ?13\r?\n/i.test(text) || !isDecodeMessage(message)) return chunk;
  const body = Buffer.from(text.replace(/grpc-status: ?13/i, "grpc-status: 3"), "latin1");
  const head = Buffer.alloc(5);
  head[0] = 0x80;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

type WriteHead = (status: number, ...rest: unknown[]) => unknown;

export function remapDecodeErrors(contentType: string, res: Res): void {
  const r = res as unknown as { writeHead: WriteHead; addTrailers: (h: Record<string, unknown>) => void; write: (c: unknown, ...a: unknown[]) => boolean; end: (...a: unknown[]) => unknown };
  const writeHead = r.writeHead.bind(res) as WriteHead;
  const write = r.write.bind(res);
  const end = r.end.bind(res);
  if (contentType.startsWith("application/grpc")) {
    const web = contentType.startsWith("application/grpc-web");
    r.writeHead = (status, headers, ...rest) => {
      fixGrpcStatus(headers as Record<string, unknown> | undefined);
      return writeHead(status, headers, ...rest);
    };
    const addTrailers = r.addTrailers.bind(res);
    r.addTrailers = (h) => {
      fixGrpcStatus(h);
      addTrailers(h);
    };
    if (web) {
      r.write = (c, ...a) => write(c instanceof Uint8Array ? fixGrpcWebFrame(c) : c, ...a);
      r.end = (c?: unknown, ...a: unknown[]) => (c instanceof Uint8Array ? end(fixGrpcWebFrame(c), ...a) : end(c, ...a));
    }
    return;
  }
  // Connect unary: an error is a JSON body with an HTTP status; a 500 is held back until its body is seen.
  let held: [number, Record<string, unknown> | undefined] | undefined;
  const chunks: Buffer[] = [];
  r.writeHead = (status, headers, ...rest) => {
    if (status !== 500 || typeof headers !== "object" || headers === null || rest.length > 0) return writeHead(status, headers, ...rest);
    held = [status, headers as Record<string, unknown>];
    return res;
  };
  r.write = (c, ...a) => {
    if (!held) return write(c, ...a);
    chunks.push(Buffer.from(c as Uint8Array));
    return true;
  };
  r.end = (c?: unknown, ...a: unknown[]) => {
    if (!held) return end(c, ...a);
    if (c instanceof Uint8Array || typeof c === "string") chunks.push(Buffer.from(c as Uint8Array));
    let body = Buffer.concat(chunks);
    let [status, headers] = held;
    try {
      const json = JSON.parse(body.toString("utf8")) as { code?: string; message?: string };
      if (json.code === "internal" && isDecodeMessage(json.message ?? "")) {
        body = Buffer.from(JSON.stringify({ ...json, code: "invalid_argument" }));
        status = 400;
        headers = { ...headers, "content-length": String(body.length) };
      }
    } catch {
      // not a Connect error body: passed on as it was
    }
    // Http2ServerResponse.end writes through this.write: it must pass now.
    held = undefined;
    writeHead(status, headers);
    return end(body);
  };
}

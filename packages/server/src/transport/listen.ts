// One TCP port for every protocol: cleartext HTTP/2 (gRPC, h2c Connect) and HTTP/1.1 (REST, gRPC-Web, Connect).
// Node's http2 server refuses HTTP/1.1 on cleartext sockets, so each connection's first bytes are inspected:
// a client speaking HTTP/2 with prior knowledge always opens with the fixed connection preface.
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface Listener {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host: string;
  handler: RequestHandler;
}

export async function listen(options: ListenOptions): Promise<Listener> {
  const h1 = http.createServer(options.handler as http.RequestListener);
  // Long-lived keep-alive connections from clients must not block shutdown forever.
  h1.keepAliveTimeout = 5_000;
  const h2 = http2.createServer({}, options.handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });

  // No Nagle: a unary response's frames are small and must not wait for the client's delayed ACK (~40 ms).
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let seen = Buffer.alloc(0);
    // A connection that never says which protocol it speaks is closed rather than kept forever.
    const idle = setTimeout(() => socket.destroy(), 30_000);
    idle.unref();
    socket.once("close", () => clearTimeout(idle));
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, preface.length);
      const isH2 = seen.subarray(0, n).equals(preface.subarray(0, n));
      if (isH2 && seen.length < preface.length) return; // wait for the rest of the preface
      clearTimeout(idle);
      socket.removeListener("data", onData);
      socket.pause();
      socket.unshift(seen);
      if (isH2) {
        // The session reads the socket's native handle and first takes what is buffered (the sniffed bytes), so
        // the socket is handed over as it is: no JS stream in the data path of every request.
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(options.port, options.host, () => {
      tcp.removeListener("error", reject);
      resolve();
    });
  });
  const address = tcp.address() as AddressInfo;
  return {
    port: address.port,
    host: options.host,
    async close() {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const s of sessions) s.close();
      h1.closeIdleConnections();
      // Give in-flight requests a moment, then cut what is left so shutdown is bounded.
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2_000);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

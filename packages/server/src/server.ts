// The control plane's network face: one port, every protocol, requests held until the application is ready
// (the embedded database takes seconds to start; a client connecting early waits instead of failing).
import type { Logger } from "pino";
import type { BlobStore, UrlSigningConfig } from "@aloft/storage";
import type { AdminContext } from "./context.ts";
import { createHttpHandler } from "./transport/http-handler.ts";
import { listen, type Listener, type RequestHandler } from "./transport/listen.ts";
import { serviceBindings, type BindingHooks } from "./services/bindings.ts";
import { blobRoute } from "./transport/blob-route.ts";
import { cacheRoute } from "./cache/cache-route.ts";
import { consoleRoute } from "./transport/console-route.ts";
import type { FrontDoorPolicy } from "./transport/front-door.ts";
import type { AuthService } from "./auth/service.ts";
import { protectBindings } from "./auth/protect.ts";
import { cacheAuthorizer } from "./auth/http-guard.ts";
import { authRoute } from "./auth/auth-route.ts";
import { TOKEN_PATH } from "./auth/metadata.ts";

export interface AdminServerOptions {
  host: string;
  port: number;
  /** Largest request accepted on any transport. */
  maxMessageBytes: number;
  /** The application, or a promise of it while it starts. */
  context: AdminContext | Promise<AdminContext>;
  hooks?: BindingHooks;
  /** Serve the filesystem blob store's signed URLs on this port. */
  blobs?: { store: BlobStore; signing: UrlSigningConfig };
  log?: Logger;
  /** Largest signed-URL upload (default 5 GiB); uploads stream to the store, so this bounds disk, not memory. */
  maxUploadBytes?: number;
  /** Signed-URL uploads streamed at once (default 8); more are answered 429. */
  maxConcurrentUploads?: number;
  /** Hosts and origins allowed besides loopback, IP literals and same-origin pages (see transport/front-door.ts). */
  frontDoor?: FrontDoorPolicy;
  /** Plain-HTTP routes tried before the others (health, readiness, metrics); each returns false to pass. */
  routes?: Array<(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => Promise<boolean>>;
  /** The built web console to serve at `/` (packages/console's dist); without it, `/` answers 404. */
  consoleDir?: string;
  /** Authentication, project roles and the audit log (auth/); every call is open when absent. */
  auth?: AuthService;
  /** Served by GetVersion before the context is ready. */
  version?: AdminContext["version"];
}

export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_UPLOADS = 8;

export interface AdminServer extends Listener {
  readonly url: string;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const open = serviceBindings(options.context, options.hooks, options.version);
  const bindings = options.auth ? protectBindings(open, options.auth) : open;
  const blob = options.blobs
    ? blobRoute(options.blobs.store, options.blobs.signing, {
        maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
        maxConcurrentUploads: options.maxConcurrentUploads ?? DEFAULT_MAX_CONCURRENT_UPLOADS,
        ...(options.log ? { log: options.log } : {}),
      })
    : undefined;
  const cache = cacheRoute(options.context, options.maxMessageBytes, options.auth ? cacheAuthorizer(options.auth) : undefined);
  const auth = options.auth ? authRoute(options.auth) : undefined;
  const routes = options.routes ?? [];
  const web = options.consoleDir !== undefined ? consoleRoute(options.consoleDir) : undefined;
  const extra: typeof cache = async (req, res) => {
    for (const route of routes) if (await route(req, res)) return true;
    return (
      (blob !== undefined && (await blob(req, res))) ||
      (auth !== undefined && (await auth(req, res))) ||
      (await cache(req, res)) ||
      (web !== undefined && (await web(req, res)))
    );
  };
  const blobBase = options.blobs ? new URL(options.blobs.signing.baseUrl).pathname.replace(/\/+$/, "") : undefined;
  const handler = createHttpHandler({
    bindings,
    maxMessageBytes: options.maxMessageBytes,
    extra,
    ...(options.log ? { log: options.log } : {}),
    ...(options.frontDoor ? { frontDoor: options.frontDoor } : {}),
    // OAuth2's token endpoint takes form bodies by its standard; only a client's own secret makes them do anything.
    signedPaths: (path: string) => (blobBase !== undefined && path.startsWith(`${blobBase}/`)) || (options.auth !== undefined && path === TOKEN_PATH),
  });
  const listener = await listen({ host: options.host, port: options.port, handler });
  return Object.assign(listener, { url: `http://${options.host}:${listener.port}` });
}

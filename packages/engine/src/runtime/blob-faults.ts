// A blob store whose faults name it: a full or read-only disk under the store becomes a StoreFaultError
// ("blob store is out of space") instead of an fs error carrying the host path of the blob.
import { accessSync, constants, existsSync } from "node:fs";
import { dirname } from "node:path";
import { asStoreFault } from "../db/faults.ts";

/**
 * A recursive mkdir on a read-only (or full) filesystem reports ENOENT for the directory it could not make, not EROFS.
 * The deepest directory that exists says why: asked whether it can be written, it answers EROFS. Other errors pass.
 */
function explainMissingDirectory(err: unknown): unknown {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    const { code, syscall, path } = e as { code?: string; syscall?: string; path?: string };
    if (code !== "ENOENT" || syscall !== "mkdir" || typeof path !== "string") continue;
    let dir = dirname(path);
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      accessSync(dir, constants.W_OK);
    } catch (denied) {
      return Object.assign(new Error((denied as Error).message, { cause: err }), { code: (denied as { code?: string }).code });
    }
    return err;
  }
  return err;
}

const translate = (err: unknown, name: string) => asStoreFault(explainMissingDirectory(err), name);

/** `store` with every method's failure translated by `asStoreFault` (methods returning promises or values alike). */
export function withStoreFaults<T extends object>(store: T, name = "blob store"): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw translate(err, name);
        }
        return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(translate(err, name))) : result;
      };
    },
  });
}

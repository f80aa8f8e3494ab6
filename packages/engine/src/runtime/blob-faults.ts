// A blob store whose faults name it: a full or read-only disk under the store becomes a StoreFaultError
// ("blob store is out of space") instead of an fs error carrying the host path of the blob.
import { asStoreFault } from "../db/faults.ts";

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
          throw asStoreFault(err, name);
        }
        return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(asStoreFault(err, name))) : result;
      };
    },
  });
}

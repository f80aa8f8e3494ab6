// Stands in for node:crypto in the browser build: @aloft/idl's hashing needs it, the console never calls it.
export function createHash(): never {
  throw new Error("node:crypto is not available in the console");
}

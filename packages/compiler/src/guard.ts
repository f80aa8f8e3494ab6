// Pathologically nested input (collections or branches thousands of levels deep) exhausts the call stack in
// protobuf cloning and in the recursive validators. That is bad input, so it becomes an error result; any other
// exception is a compiler bug and is left to surface.
import { CompileError, ErrorCodes as C } from "./errors.ts";
import { failed, type Result } from "./result.ts";

export function guardDepth<T>(fn: () => Result<T>): Result<T> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return failed([new CompileError(C.InvalidValue, "root", "Invalid value [input nested too deeply to compile].")]);
    }
    throw e;
  }
}

// Finds the file that called `task(...)`/`workflow(...)` from the stack, the way flytekit finds a function's
// module: the serializer needs it to point the task runtime at `--module` and to name entities. Code run from a
// code bundle is found by the locations the task runtime records instead (serialize/identity.ts): a bundle is
// one file for many modules.
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const sdkDir = dirname(fileURLToPath(import.meta.url));

export function callerFile(): string {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+\.[cm]?[jt]sx?):\d+:\d+\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    // The SDK's own modules are skipped (wherever it is installed, node_modules included); its tests and their
    // fixtures define entities like any user file. Files of the project's npm dependencies define tasks too.
    if (file.startsWith(sdkDir + "/") && !file.includes("/testdata/") && !file.endsWith(".test.ts")) continue;
    return file;
  }
  return "<unknown>";
}

// Finds the file that called `task(...)`/`workflow(...)` from the stack, the way flytekit finds a function's
// module: the serializer needs it to point the task runtime at `--module` and to name entities.
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const sdkDir = dirname(fileURLToPath(import.meta.url));

export function callerFile(): string {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+\.[cm]?[jt]sx?):\d+:\d+\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    if (file.includes("/node_modules/")) continue;
    // The SDK's own modules are skipped; its tests and their fixtures define entities like any user file.
    if (file.startsWith(sdkDir + "/") && !file.includes("/testdata/") && !file.endsWith(".test.ts")) continue;
    return file;
  }
  return "<unknown>";
}

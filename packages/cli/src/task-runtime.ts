// What a TypeScript task worker of the compiled CLI's `aloft start` imports (dist/task-runtime.js): the SDK's task
// runtime, with the code bundles it imports resolving @aloft/* to the same compiled SDK (user-code.ts). From the
// sources, workers import the SDK's runtime directly (typescriptRuntimeUrl).
import { resolveAloftToBundle } from "./user-code.ts";

// The worker's bootstrap has registered tsx already (engine/src/plugins/worker-bootstrap.mjs).
resolveAloftToBundle();
export { executeTask } from "@aloft/sdk";

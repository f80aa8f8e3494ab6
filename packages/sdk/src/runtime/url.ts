// The URL of the runtime module, for the engine's worker pool to import.
export const typescriptRuntimeUrl: string = new URL("./execute.ts", import.meta.url).href;

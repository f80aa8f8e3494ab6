import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// @aloft/idl's hash helpers import node:crypto; the console never hashes, so the browser gets a module that says so.
const nodeCryptoShim = fileURLToPath(new URL("./src/shims/node-crypto.ts", import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "node:crypto": nodeCryptoShim } },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8088", "/flyteidl.service.": "http://127.0.0.1:8088" } },
});

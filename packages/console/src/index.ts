// The console's Node-side entry: where `vite build` writes the app, for the server to serve at `/`.
// Everything else under src/ is the browser app (main.tsx) and is never imported by other packages.
import { fileURLToPath } from "node:url";

/** The directory holding the built console (index.html and assets/); absent until `npm run build -w @aloft/console`. */
export const consoleAssetsDir: string = fileURLToPath(new URL("../dist/", import.meta.url));

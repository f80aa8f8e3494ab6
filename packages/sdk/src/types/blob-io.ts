import { statSync, type Stats } from "node:fs";
import { TypeMismatchError } from "../errors.ts";

// The blob operations transformers need. Kept this narrow so any store (the filesystem store, S3, the in-memory
// store of a local run) can be adapted in a few lines, and so tests can count reads to prove laziness.
export interface BlobIO {
  read(uri: string): Promise<Uint8Array>;
  write(uri: string, data: Uint8Array): Promise<void>;
  /** URIs of all objects under `prefix` (recursive), for directories and multi-file datasets. */
  list(prefix: string): Promise<string[]>;
}

/**
 * A path typed on the command line for a file, directory or dataset input must exist now, so the message names the
 * input (`input --data: no such file: orders.csv`) rather than failing when the run uploads it. URIs pass.
 */
export function parseLocalPath<T>(parse: (text: string, path: string) => T, kind: "file" | "directory"): (text: string, path: string) => T {
  return (text, path) => {
    const value = parse(text, path);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return value;
    let stat: Stats;
    try {
      stat = statSync(text);
    } catch {
      throw new TypeMismatchError(path, `no such ${kind}: ${text}`);
    }
    if (kind === "file" && !stat.isFile()) throw new TypeMismatchError(path, `${text} is not a file`);
    if (kind === "directory" && !stat.isDirectory()) throw new TypeMismatchError(path, `${text} is not a directory`);
    return value;
  };
}

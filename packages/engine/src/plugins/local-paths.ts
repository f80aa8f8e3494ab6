// flytekit reads a blob whose URI has no remote scheme as a local file and checks it with os.path.isfile
// (os.path.isdir for directories) on the URI as given, so a file:// URI fails ("Expected a file, but
// file:///… is not a file"). Blobs of a filesystem store are therefore handed to flytekit as plain paths:
// to its task processes (the local-process plugin) and to its clients (the server's *GetData answers).
// The engine's own records keep the URIs.
import { fileURLToPath } from "node:url";
import { clone } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";

/** `map` with file:// blob URIs (also in collections, maps and unions) as paths; `map` itself when it has none. */
export function withLocalBlobPaths(map: core.LiteralMap): core.LiteralMap {
  if (!Object.values(map.literals).some(hasFileBlob)) return map;
  const copy = clone(core.LiteralMapSchema, map);
  for (const l of Object.values(copy.literals)) toLocalPaths(l);
  return copy;
}

function fileBlob(l: core.Literal): core.Blob | undefined {
  const v = l.value;
  if (v.case !== "scalar" || v.value.value.case !== "blob") return undefined;
  return v.value.value.value.uri.startsWith("file://") ? v.value.value.value : undefined;
}

function children(l: core.Literal): core.Literal[] {
  const v = l.value;
  if (v.case === "collection") return v.value.literals;
  if (v.case === "map") return Object.values(v.value.literals);
  if (v.case === "scalar" && v.value.value.case === "union" && v.value.value.value.value) return [v.value.value.value.value];
  return [];
}

function hasFileBlob(l: core.Literal): boolean {
  return fileBlob(l) !== undefined || children(l).some(hasFileBlob);
}

function toLocalPaths(l: core.Literal): void {
  const b = fileBlob(l);
  if (b) b.uri = fileURLToPath(b.uri);
  for (const c of children(l)) toLocalPaths(c);
}

// flytekit reads a blob whose URI has no remote scheme as a local file and checks it with os.path.isfile
// (os.path.isdir for directories) on the URI as given, so a file:// URI fails ("Expected a file, but
// file:///… is not a file"), and pandas opens a file:// URL with urllib, read-only, so a StructuredDataset
// written under a file:// raw-output prefix fails. Values of a filesystem store are therefore handed to
// flytekit as plain paths: to its task processes (the local-process plugin, which also turns the paths in
// what the process wrote back into URIs) and to its clients (the server's *GetData answers). The engine's
// own records keep file:// URIs, which is what the blob store accepts.
import { isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { clone } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";

/** A file:// URI as the path it names; any other string as it is. */
export function localPath(uri: string): string {
  return uri.startsWith("file://") ? fileURLToPath(uri) : uri;
}

/** An absolute path as a file:// URI; any other string (a URI of any scheme, a relative name) as it is. */
export function fileUri(pathOrUri: string): string {
  return isAbsolute(pathOrUri) ? pathToFileURL(pathOrUri).toString() : pathOrUri;
}

/** `map` with file:// blob, StructuredDataset and schema URIs (also in collections, maps and unions) as paths; `map` itself when it has none. */
export function withLocalBlobPaths(map: core.LiteralMap): core.LiteralMap {
  return rewriteMap(map, (u) => u.startsWith("file://"), localPath);
}

/** The reverse, for what a task process wrote: absolute paths as file:// URIs; `map` itself when it has none. */
export function withFileUris(map: core.LiteralMap): core.LiteralMap {
  return rewriteMap(map, (u) => isAbsolute(u), fileUri);
}

/** A dynamic task's spec with the absolute paths in its bindings' literals as file:// URIs (rewritten in place). */
export function dynamicSpecWithFileUris(spec: core.DynamicJobSpec): core.DynamicJobSpec {
  for (const n of spec.nodes) for (const b of n.inputs) if (b.binding) rewriteBinding(b.binding);
  for (const b of spec.outputs) if (b.binding) rewriteBinding(b.binding);
  return spec;
}

function rewriteMap(map: core.LiteralMap, match: (uri: string) => boolean, to: (uri: string) => string): core.LiteralMap {
  if (!Object.values(map.literals).some((l) => has(l, match))) return map;
  const copy = clone(core.LiteralMapSchema, map);
  for (const l of Object.values(copy.literals)) rewrite(l, match, to);
  return copy;
}

/** The message holding a URI in a scalar: a blob, a StructuredDataset or a (legacy) schema. */
function withUri(s: core.Scalar): { uri: string } | undefined {
  const v = s.value;
  return v.case === "blob" || v.case === "structuredDataset" || v.case === "schema" ? v.value : undefined;
}

function children(l: core.Literal): core.Literal[] {
  const v = l.value;
  if (v.case === "collection") return v.value.literals;
  if (v.case === "map") return Object.values(v.value.literals);
  if (v.case === "scalar" && v.value.value.case === "union" && v.value.value.value.value) return [v.value.value.value.value];
  return [];
}

function has(l: core.Literal, match: (uri: string) => boolean): boolean {
  const u = l.value.case === "scalar" ? withUri(l.value.value) : undefined;
  return (u !== undefined && match(u.uri)) || children(l).some((c) => has(c, match));
}

function rewrite(l: core.Literal, match: (uri: string) => boolean, to: (uri: string) => string): void {
  if (l.value.case === "scalar") rewriteScalar(l.value.value, match, to);
  for (const c of children(l)) rewrite(c, match, to);
}

function rewriteScalar(s: core.Scalar, match: (uri: string) => boolean, to: (uri: string) => string): void {
  const u = withUri(s);
  if (u && match(u.uri)) u.uri = to(u.uri);
}

function rewriteBinding(b: core.BindingData): void {
  const v = b.value;
  const absolute = (u: string) => isAbsolute(u);
  if (v.case === "scalar") {
    rewriteScalar(v.value, absolute, fileUri);
    if (v.value.value.case === "union" && v.value.value.value.value) rewrite(v.value.value.value.value, absolute, fileUri);
  } else if (v.case === "collection") for (const x of v.value.bindings) rewriteBinding(x);
  else if (v.case === "map") for (const x of Object.values(v.value.bindings)) rewriteBinding(x);
}

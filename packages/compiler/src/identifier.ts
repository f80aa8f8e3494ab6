// Identifier keys and ordering. Flyte indexes tasks, workflows and launch plans by the identifier's full text form
// and lists requirements sorted by (resource type, project, domain, name, version); these helpers do the same.
import type { core } from "@aloft/idl";

/** A map key covering every identifier field; `undefined` has its own key, as a nil identifier does in Flyte. */
export function idKey(id: core.Identifier | undefined): string {
  if (id === undefined) return "<nil>";
  return [id.resourceType, id.project, id.domain, id.name, id.version, id.org].join("\u0000");
}

/** Human-readable identifier for error messages. */
export function formatId(id: core.Identifier | undefined): string {
  if (id === undefined) return "<nil>";
  const parts = [id.project, id.domain, id.name, id.version].join(":");
  return id.org ? `${id.org}/${parts}` : parts;
}

/** Compares strings by code point, which is the byte order of their UTF-8 form (Go's string order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function compareIdentifiers(a: core.Identifier, b: core.Identifier): number {
  if (a.resourceType !== b.resourceType) return a.resourceType - b.resourceType;
  return (
    compareCodePoints(a.project, b.project) ||
    compareCodePoints(a.domain, b.domain) ||
    compareCodePoints(a.name, b.name) ||
    compareCodePoints(a.version, b.version)
  );
}

/** A set of identifiers keyed like Flyte's IdentifierSet; `list()` is sorted. */
export class IdentifierSet {
  private readonly byKey = new Map<string, core.Identifier>();
  add(id: core.Identifier): void {
    this.byKey.set(idKey(id), id);
  }
  list(): core.Identifier[] {
    return [...this.byKey.values()].sort(compareIdentifiers);
  }
}

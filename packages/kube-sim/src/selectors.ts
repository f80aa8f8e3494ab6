// Label and field selectors as the API server parses them (`a=b,c!=d,e in (x,y),f notin (z),g,!h` and
// `metadata.name=x,status.phase!=Running`). An invalid selector is the caller's error (400 BadRequest).

export type KubeObject = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

export class SelectorError extends Error {}

type Requirement = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!exists"; values: string[] };

export type Selector = (obj: KubeObject) => boolean;

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every((r) => matches(r, labels[r.key]));
  };
}

/** Field selectors on the fields the API server indexes for every resource, plus the pod fields kubelets use. */
export function parseFieldSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map((t) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw new SelectorError(`invalid field selector term ${JSON.stringify(t)}`);
    const field = m[1]!;
    if (!FIELDS[field]) throw new SelectorError(`field label not supported: ${field}`);
    return { field, negate: m[2] === "!=", value: m[3]! };
  });
  return (obj) => reqs.every((r) => (FIELDS[r.field]!(obj) === r.value) !== r.negate);
}

const path = (...keys: string[]) => (obj: KubeObject) => {
  let v: unknown = obj;
  for (const k of keys) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" ? v : "";
};
const FIELDS: Record<string, (obj: KubeObject) => string> = {
  "metadata.name": path("metadata", "name"),
  "metadata.namespace": path("metadata", "namespace"),
  "status.phase": path("status", "phase"),
  "spec.nodeName": path("spec", "nodeName"),
  "spec.restartPolicy": path("spec", "restartPolicy"),
  "spec.serviceAccountName": path("spec", "serviceAccountName"),
  "type": path("type"),
};

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.filter((t) => t !== "");
}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseRequirement(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (m) {
    const values = m[3]!.split(",").map((v) => v.trim());
    return checked({ key: m[1]!, op: m[2] as "in" | "notin", values });
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) return checked({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] });
  if (term.startsWith("!")) return checked({ key: term.slice(1).trim(), op: "!exists", values: [] });
  return checked({ key: term, op: "exists", values: [] });
}

function checked(r: Requirement): Requirement {
  if (!KEY.test(r.key)) throw new SelectorError(`invalid label key ${JSON.stringify(r.key)}`);
  for (const v of r.values) if (v.length > 63 || !VALUE.test(v)) throw new SelectorError(`invalid label value ${JSON.stringify(v)}`);
  return r;
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case "=":
      return value === r.values[0];
    case "!=":
      return value !== r.values[0];
    case "in":
      return value !== undefined && r.values.includes(value);
    case "notin":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return value !== undefined;
    case "!exists":
      return value === undefined;
  }
}

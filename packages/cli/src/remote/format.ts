// Plain-text views of remote entities for `aloft get` and progress lines.
import { timestampDate, durationMs } from "@bufbuild/protobuf/wkt";
import { admin, core, formatLiteralMap } from "@aloft/idl";

export const executionPhase = (p: core.WorkflowExecution_Phase | undefined) => core.WorkflowExecution_Phase[p ?? 0] ?? "UNDEFINED";
export const nodePhase = (p: core.NodeExecution_Phase | undefined) => core.NodeExecution_Phase[p ?? 0] ?? "UNDEFINED";

/** A node's cache status as flyteadmin reports it (HIT, MISS, POPULATED, DISABLED…), "-" for nodes that are not tasks. */
export function cacheStatus(n: admin.NodeExecution): string {
  const t = n.closure?.targetMetadata;
  if (t?.case !== "taskNodeMetadata") return "-";
  return (core.CatalogCacheStatus[t.value.cacheStatus] ?? "CACHE_DISABLED").replace(/^CACHE_/, "");
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return "";
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

export function when(ts: { seconds: bigint; nanos: number } | undefined): string {
  return ts ? timestampDate(ts as never).toISOString().replace(/\.\d+Z$/, "Z") : "-";
}

export function took(d: { seconds: bigint; nanos: number } | undefined): string {
  if (!d) return "-";
  const ms = durationMs(d as never);
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function executionRow(e: admin.Execution): string[] {
  const lp = e.spec?.launchPlan;
  return [e.id?.name ?? "", executionPhase(e.closure?.phase), lp ? `${lp.name}@${lp.version}` : "-", when(e.closure?.createdAt), took(e.closure?.duration)];
}

export function outputsText(m: core.LiteralMap | undefined): string {
  return m && Object.keys(m.literals).length > 0 ? formatLiteralMap(m) : "(no outputs)";
}

export function errorText(e: admin.Execution): string | undefined {
  const r = e.closure?.outputResult;
  if (r?.case === "error") return `${r.value.code}: ${r.value.message}`;
  if (r?.case === "abortMetadata") return `aborted: ${r.value.cause}`;
  return undefined;
}

// The selected node: phase, error (kind and message), cache status, attempts, and its inputs and outputs
// rendered by type.
import { core, type admin } from "@aloft/idl";
import { getNodeExecutionData, listTaskExecutions, type Scope } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";
import { LiteralView } from "../types/registry.tsx";
import { PhaseBadge, durationSeconds, formatDuration, nodePhaseName } from "./phase.tsx";

const cacheNames: Record<number, string> = {
  [core.CatalogCacheStatus.CACHE_DISABLED]: "disabled",
  [core.CatalogCacheStatus.CACHE_MISS]: "miss",
  [core.CatalogCacheStatus.CACHE_HIT]: "hit",
  [core.CatalogCacheStatus.CACHE_POPULATED]: "populated",
  [core.CatalogCacheStatus.CACHE_LOOKUP_FAILURE]: "lookup failed",
  [core.CatalogCacheStatus.CACHE_PUT_FAILURE]: "put failed",
  [core.CatalogCacheStatus.CACHE_SKIPPED]: "skipped",
  [core.CatalogCacheStatus.CACHE_EVICTED]: "evicted",
};

export function cacheStatusName(n: admin.NodeExecution | undefined): string {
  const m = n?.closure?.targetMetadata;
  return m?.case === "taskNodeMetadata" ? (cacheNames[m.value.cacheStatus] ?? "") : "";
}

export function ErrorView({ error }: { error: core.ExecutionError }) {
  const kind = error.kind === core.ExecutionError_ErrorKind.USER ? "user error" : error.kind === core.ExecutionError_ErrorKind.SYSTEM ? "system error" : "error";
  return (
    <div className="error-box" role="group" aria-label="Error">
      <strong>{kind}</strong> {error.code && <span className="mono">{error.code}</span>}
      <pre>{error.message}</pre>
    </div>
  );
}

function LiteralMapView({ caption, map, vars }: { caption: string; map: core.LiteralMap | undefined; vars: core.VariableMap | undefined }) {
  const entries = Object.entries(map?.literals ?? {});
  if (entries.length === 0) return <p className="muted">No {caption.toLowerCase()}.</p>;
  return (
    <dl className="kv" aria-label={caption}>
      {entries.map(([k, l]) => (
        <div key={k} style={{ display: "contents" }}>
          <dt className="mono">{k}</dt>
          <dd>
            <LiteralView literal={l} type={vars?.variables[k]?.type} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function NodePanel({ scope, execution, nodeId, node, iface }: { scope: Scope; execution: string; nodeId: string; node: admin.NodeExecution | undefined; iface: core.TypedInterface | undefined }) {
  const phase = node?.closure?.phase;
  const data = useLoad(() => (node ? getNodeExecutionData(scope, execution, nodeId) : Promise.resolve(undefined)), [execution, nodeId, phase]);
  const attempts = useLoad(() => (node && !node.metadata?.isParentNode ? listTaskExecutions(scope, execution, nodeId) : Promise.resolve([])), [execution, nodeId, phase]);
  const error = node?.closure?.outputResult.case === "error" ? node.closure.outputResult.value : undefined;
  const cache = cacheStatusName(node);
  return (
    <section className="panel" aria-label={`Node ${nodeId}`}>
      <h2 className="mono">{nodeId}</h2>
      {!node && <p className="muted">This node has not run.</p>}
      {node && (
        <dl className="kv">
          <dt>Phase</dt>
          <dd>
            <PhaseBadge name={nodePhaseName(node.closure?.phase ?? core.NodeExecution_Phase.UNDEFINED)} />
          </dd>
          <dt>Duration</dt>
          <dd>{formatDuration(durationSeconds(node.closure?.duration))}</dd>
          {cache && (
            <>
              <dt>Cache</dt>
              <dd data-testid="cache-status">{cache}</dd>
            </>
          )}
          {(attempts.data?.length ?? 0) > 0 && (
            <>
              <dt>Attempts</dt>
              <dd>{attempts.data!.length}</dd>
            </>
          )}
        </dl>
      )}
      {error && <ErrorView error={error} />}
      {data.error && <p role="alert">Could not load data: {data.error}</p>}
      {node && (
        <>
          <h3>Inputs</h3>
          <LiteralMapView caption="Inputs" map={data.data?.fullInputs} vars={iface?.inputs} />
          <h3>Outputs</h3>
          <LiteralMapView caption="Outputs" map={data.data?.fullOutputs} vars={iface?.outputs} />
        </>
      )}
    </section>
  );
}

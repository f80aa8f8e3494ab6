// `kubectl get` asks for a meta.k8s.io Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) and
// prints its columns; pods get kubectl's usual READY, STATUS and RESTARTS columns.
import type { Obj } from "./store.ts";

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => part.includes("as=Table") && part.includes("g=meta.k8s.io"));
}

export function toTable(kind: string, items: Obj[], resourceVersion: string): Record<string, unknown> {
  const pod = kind === "Pod";
  const columns = [
    { name: "Name", type: "string", format: "name", description: "Name of the object", priority: 0 },
    ...(pod
      ? [
          { name: "Ready", type: "string", format: "", description: "Ready containers", priority: 0 },
          { name: "Status", type: "string", format: "", description: "The pod's phase or reason", priority: 0 },
          { name: "Restarts", type: "string", format: "", description: "Container restarts", priority: 0 },
        ]
      : []),
    { name: "Age", type: "string", format: "", description: "Time since creation", priority: 0 },
    ...(pod ? [{ name: "Node", type: "string", format: "", description: "Node the pod runs on", priority: 1 }] : []),
  ];
  const rows = items.map((o) => {
    const statuses = ((o.status?.containerStatuses ?? []) as { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[]);
    const containers = ((o.spec?.containers ?? []) as unknown[]).length;
    const waiting = statuses.find((s) => s.state?.waiting?.reason)?.state?.waiting?.reason;
    const status = (o.status?.reason as string | undefined) ?? waiting ?? (o.metadata.deletionTimestamp ? "Terminating" : ((o.status?.phase as string | undefined) ?? ""));
    const cells = pod
      ? [o.metadata.name, `${statuses.filter((s) => s.ready).length}/${containers}`, status, String(statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)), age(o.metadata.creationTimestamp), (o.spec?.nodeName as string | undefined) ?? "<none>"]
      : [o.metadata.name, age(o.metadata.creationTimestamp)];
    return { cells, object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata } };
  });
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion }, columnDefinitions: columns, rows };
}

function age(created: string | undefined): string {
  if (!created) return "<unknown>";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(created)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

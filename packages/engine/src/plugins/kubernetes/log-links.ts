// Log links of a pod from configured templates, as Flyte's log plugins make them (CloudWatch, Stackdriver,
// Kubernetes dashboard and custom templates are all one template with these variables).
import type { V1Pod } from "@kubernetes/client-node";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { LogLinkTemplate } from "./config.ts";

export interface LogLinkTask {
  executionId: { project: string; domain: string; name: string };
  taskId: { project: string; domain: string; name: string; version: string };
  nodeId: string;
  attempt: number;
  primaryContainerName: string;
}

export function logLinks(templates: readonly LogLinkTemplate[], pod: V1Pod, t: LogLinkTask): core.TaskLog[] {
  if (templates.length === 0) return [];
  const status = pod.status;
  const container = status?.containerStatuses?.find((c) => c.name === t.primaryContainerName);
  const start = toDate(status?.startTime);
  const finish = toDate(container?.state?.terminated?.finishedAt);
  const vars: Record<string, string> = {
    podName: pod.metadata?.name ?? "",
    podUID: pod.metadata?.uid ?? "",
    namespace: pod.metadata?.namespace ?? "",
    containerName: t.primaryContainerName,
    // Flyte strips the runtime prefix (docker://, containerd://) from the container ID.
    containerId: (container?.containerID ?? "").replace(/^[a-z]+:\/\//, ""),
    hostname: pod.spec?.hostname ?? pod.metadata?.name ?? "",
    nodeName: pod.spec?.nodeName ?? "",
    podRFC3339StartTime: start ? rfc3339(start) : "",
    podRFC3339FinishTime: finish ? rfc3339(finish) : "",
    podUnixStartTime: start ? String(Math.floor(start.getTime() / 1000)) : "",
    podUnixFinishTime: finish ? String(Math.floor(finish.getTime() / 1000)) : "",
    taskRetryAttempt: String(t.attempt),
    taskID: t.taskId.name,
    taskVersion: t.taskId.version,
    taskProject: t.taskId.project,
    taskDomain: t.taskId.domain,
    nodeID: t.nodeId,
    executionName: t.executionId.name,
    executionProject: t.executionId.project,
    executionDomain: t.executionId.domain,
    generatedName: pod.metadata?.name ?? "",
    logName: "",
  };
  const fill = (uri: string) => uri.replace(/\{\{\s*\.([A-Za-z0-9]+)\s*\}\}/g, (m, name: string) => vars[name] ?? m);
  const out: core.TaskLog[] = [];
  for (const tpl of templates) {
    for (const uri of tpl.templateUris) {
      out.push(create(core.TaskLogSchema, { name: `${tpl.displayName}`, uri: fill(uri), messageFormat: core.TaskLog_MessageFormat[(tpl.messageFormat ?? "UNKNOWN") as "UNKNOWN"] }));
    }
  }
  return out;
}

function toDate(t: Date | string | undefined): Date | undefined {
  if (t === undefined) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

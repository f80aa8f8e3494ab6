// Webhook notifications: when an execution reaches a configured phase, its record (protobuf JSON, proto field
// names) is POSTed to each matching URL. Delivery is retried a few times and never blocks the event that caused it.
import { toJson } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import type { Logger } from "pino";
import type { PhaseListener } from "../admin/events/workflow-event.ts";

export interface Webhook {
  url: string;
  phases: string[];
}

export function webhookNotifier(hooks: Webhook[], log: Logger, fetchImpl: typeof fetch = fetch): PhaseListener {
  return (execution) => {
    const phase = core.WorkflowExecution_Phase[execution.closure?.phase ?? 0] ?? "UNDEFINED";
    const targets = hooks.filter((h) => h.phases.includes(phase));
    if (targets.length === 0) return;
    const body = JSON.stringify({ phase, execution: toJson(admin.ExecutionSchema, execution, { useProtoFieldName: true }) });
    for (const h of targets) void deliver(h.url, body, log, fetchImpl);
  };
}

async function deliver(url: string, body: string, log: Logger, fetchImpl: typeof fetch): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetchImpl(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(10_000) });
      if (res.ok) return;
      log.warn({ url, status: res.status, attempt }, "webhook answered with an error status");
    } catch (e) {
      log.warn({ url, err: (e as Error).message, attempt }, "webhook delivery failed");
    }
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
}

// Before registering, every reference entity the workflows call is looked up on the server and its declared
// interface checked against the registered one: a mismatch is an error naming the entity and field, not a
// workflow that fails later.
import { Code, ConnectError } from "@connectrpc/connect";
import type { core } from "@aloft/idl";
import { interfaceMismatches, registeredFromLaunchPlan, registeredFromTyped, type RegisteredInterface, type Serializer } from "@aloft/sdk";
import { UsageError } from "../command.ts";
import type { Remote } from "./connection.ts";

async function registered(remote: Remote, kind: string, id: core.Identifier): Promise<RegisteredInterface> {
  if (kind === "task") {
    const t = await remote.admin.getTask({ id });
    return registeredFromTyped(t.closure?.compiledTask?.template?.interface);
  }
  if (kind === "workflow") {
    const w = await remote.admin.getWorkflow({ id });
    return registeredFromTyped(w.closure?.compiledWorkflow?.primary?.template?.interface);
  }
  const lp = await remote.admin.getLaunchPlan({ id });
  return registeredFromLaunchPlan(lp.closure?.expectedInputs, lp.closure?.expectedOutputs);
}

export async function checkReferences(remote: Remote, s: Serializer): Promise<void> {
  const problems: string[] = [];
  for (const r of s.references.values()) {
    let reg: RegisteredInterface;
    try {
      reg = await registered(remote, r.kind, r.id);
    } catch (e) {
      if (e instanceof ConnectError && e.code === Code.NotFound) {
        problems.push(`reference ${r.label} is not registered on ${remote.endpoint}`);
        continue;
      }
      throw e;
    }
    const m = interfaceMismatches(r.interface, reg);
    if (m.length) problems.push(`reference ${r.label} does not match its registered interface:\n${m.map((x) => `    - ${x}`).join("\n")}`);
  }
  if (problems.length) throw new UsageError(problems.join("\n"));
}

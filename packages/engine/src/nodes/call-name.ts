// Deterministic names of child actions (Flyte 2's ActionID.new_sub_action_from): a hash of the parent action,
// the called task's identity (project, domain, name; never its version or image), the inputs' hash, the call's
// sequence number among the parent's calls of that task in that group, and the group. A re-run of the parent
// makes the same calls in the same order, so it finds the children it already started under the same names.
import { createHash } from "node:crypto";
import { toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";

/** Hash of a LiteralMap that does not depend on the order its entries were added in. */
export function inputsHash(inputs: core.LiteralMap): string {
  const h = createHash("sha256");
  for (const name of Object.keys(inputs.literals).sort()) {
    h.update(name);
    h.update("\u0000");
    h.update(toBinary(core.LiteralSchema, inputs.literals[name]!));
    h.update("\u0000");
  }
  return h.digest("hex");
}

/** The identity of a task for naming: the same across versions, images and code bundles. */
export function taskIdentity(id: core.Identifier | undefined): string {
  return id ? `${id.project}/${id.domain}/${id.name}` : "";
}

export interface CallIdentity {
  parentAction: string;
  task: string;
  inputsHash: string;
  seq: number;
  group?: string | undefined;
}

/** A child action's name: 25 base-36 characters of the SHA-256 of its identity. */
export function callName(c: CallIdentity): string {
  const parts = `${c.parentAction}\u0000${c.inputsHash}\u0000${c.task}\u0000${c.seq}${c.group ? `\u0000${c.group}` : ""}`;
  const digest = createHash("sha256").update(parts).digest("hex").slice(0, 32);
  return BigInt(`0x${digest}`).toString(36).padStart(25, "0");
}

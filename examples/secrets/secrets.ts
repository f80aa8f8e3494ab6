// Secrets in tasks: `sign` declares the secret it needs and reads it through its context, as flytekit's
// `current_context().secrets.get(group, key)`. Locally the value comes from the environment
// (`_FSEC_BILLING_SIGNING_KEY=…`) or a file (`$FLYTE_SECRETS_DEFAULT_DIR/billing/signing_key`); on `aloft start`
// from its secrets directory (`--task-secrets-dir <dir>`, file `<dir>/billing/signing_key`). The value is never an
// input or output: only the signature leaves the task.
//   _FSEC_BILLING_SIGNING_KEY=s3cret npx aloft run examples/secrets/secrets.ts signOrder --order '{"id":7}'
import { createHmac } from "node:crypto";
import { t, task, workflow } from "@aloft/sdk";

export const sign = task(
  { inputs: { payload: t.string() }, outputs: t.string(), secrets: [{ group: "billing", key: "signing_key" }] },
  ({ payload }, ctx) => createHmac("sha256", ctx.secrets.get("billing", "signing_key")).update(payload).digest("hex"),
);

export const envelope = task({ inputs: { payload: t.string(), signature: t.string() }, outputs: t.string() }, ({ payload, signature }) =>
  JSON.stringify({ payload, signature }),
);

export const signOrder = workflow({ inputs: { order: t.string() }, outputs: t.string() }, ({ order }) =>
  envelope({ payload: order, signature: sign({ payload: order }) }),
);

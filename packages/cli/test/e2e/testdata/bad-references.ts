// Declarations that do not match what billing.py registered: `aloft register` must refuse them, naming each field.
import { referenceTask, t, workflow } from "@aloft/sdk";

const add = referenceTask({ project: "flytesnacks", domain: "development", name: "billing.add", version: "py1", inputs: { a: t.float(), b: t.int() }, outputs: t.string() });
const gone = referenceTask({ project: "flytesnacks", domain: "development", name: "billing.subtract", version: "py1", inputs: {}, outputs: t.int() });

export const badReferences = workflow({ inputs: { a: t.float() }, outputs: { s: t.string(), n: t.int() } }, ({ a }) => ({ s: add({ a, b: 1 }), n: gone({}) }));

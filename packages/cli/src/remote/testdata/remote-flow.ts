// A small project for the remote tests: registered with `aloft register`, run by `aloft start`.
import { t, task, workflow } from "@aloft/sdk";

export const double = task({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x * 2);
export const describe_ = task({ inputs: { n: t.int() }, outputs: t.string(), name: "describe" }, ({ n }) => `value ${n}`);

export const quadruple = workflow({ inputs: { x: t.int() }, outputs: { y: t.int(), text: t.string() } }, ({ x }) => {
  const y = double({ x: double({ x }) });
  return { y, text: describe_({ n: y }) };
});

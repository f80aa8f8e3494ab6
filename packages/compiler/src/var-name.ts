// Promise variable names: "out" or "[3].out" (an element of a collection output), as Flyte's typing.ParseVarName
// reads them. The text must contain exactly one such match.

export interface VarName {
  name: string;
  index?: number | undefined;
}

const VAR_MATCHER = /(\[(\d+)\]\.)?(\w+)/g;
const INT64_MAX = 9223372036854775807n;

const PLAIN = /^\w+$/;

export function parseVarName(text: string): VarName | Error {
  if (PLAIN.test(text)) return { name: text };
  const matches = [...text.matchAll(VAR_MATCHER)];
  if (matches.length !== 1) return new Error(`unexpected number of matches [${matches.length}]`);
  const m = matches[0]!;
  const name = m[3]!;
  if (m[2] === undefined) return { name };
  if (BigInt(m[2]) > INT64_MAX) return new Error(`index [${m[2]}] out of range`);
  return { name, index: Number(m[2]) };
}

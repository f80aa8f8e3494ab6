// Validation of Kubernetes resource quantities ("500m", "1.5Gi", "2e3"), following the grammar and checks of
// k8s.io/apimachinery resource.ParseQuantity, which Flyte applies to task resource requests and limits.

const DECIMAL_SI = new Set(["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]);
const BINARY_SI = new Set(["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]);
const SUFFIX_CHARS = "eEinumkKMGTP";
const INT64_MAX = 9223372036854775807n;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Splits a quantity into its numeric part and suffix; undefined when the text is malformed. */
function split(str: string): { num: string; denom: string; suffix: string } | undefined {
  let pos = 0;
  const end = str.length;
  if (str[0] === "-" || str[0] === "+") pos++;
  while (pos < end && str[pos] === "0") pos++;
  if (pos >= end) return { num: "0", denom: "", suffix: "" };
  const numStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || "0";
  let denom = "";
  if (str[pos] === ".") {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { num, denom, suffix: str.slice(suffixStart) };
}

function suffixValid(suffix: string): boolean {
  if (DECIMAL_SI.has(suffix) || BINARY_SI.has(suffix)) return true;
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    // The exponent must be a base-10 int64.
    const exp = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(exp)) return false;
    const v = BigInt(exp);
    return v <= INT64_MAX && v >= -INT64_MAX - 1n;
  }
  return false;
}

/** True when `value` parses as a Kubernetes resource quantity. */
export function isValidQuantity(value: string): boolean {
  if (value.length === 0) return false;
  if (value === "0") return true;
  const parts = split(value);
  if (!parts) return false;
  return suffixValid(parts.suffix);
}

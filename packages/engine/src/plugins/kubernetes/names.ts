// Kubernetes names for a task attempt. A pod's name must be a DNS-1123 label (it becomes the hostname) and
// must be the same every time the same attempt is started, so an engine that restarts finds the pod it made.
// Like Flyte's generated names (`<execution>-<node>-<attempt>`), a name that would be too long is shortened
// with a hash of the whole, so two attempts never share a name.
import { createHash } from "node:crypto";

const MAX_LABEL = 63;

/** Lower-cases and replaces every run of characters outside [a-z0-9-] with `-`, trimming `-` at the ends. */
export function toDns1123(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `<execution>-<node path>-<attempt>`, DNS-1123, at most 63 characters. */
export function podName(executionName: string, nodePath: string, attempt: number): string {
  const whole = `${executionName}-${nodePath}-${attempt}`;
  const name = toDns1123(whole);
  if (name.length <= MAX_LABEL && name === whole.toLowerCase()) return name;
  // Either too long or changed by the conversion (two different paths could convert to the same text):
  // keep a readable prefix and add a hash of the original.
  const hash = createHash("sha256").update(whole).digest("hex").slice(0, 10);
  const prefix = toDns1123(name.slice(0, MAX_LABEL - hash.length - 1));
  return prefix === "" ? `f${hash}` : `${prefix}-${hash}`;
}

/** A label value: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  let v = text.replace(/[^A-Za-z0-9_.-]+/g, "-");
  if (v.length > MAX_LABEL) v = `${v.slice(0, MAX_LABEL - 11)}-${createHash("sha256").update(text).digest("hex").slice(0, 10)}`;
  return v.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** The namespace template with `{{project}}` and `{{domain}}` filled in (spaces inside the braces allowed). */
export function namespaceFor(template: string, project: string, domain: string): string {
  return toDns1123(template.replace(/\{\{\s*project\s*\}\}/g, project).replace(/\{\{\s*domain\s*\}\}/g, domain));
}

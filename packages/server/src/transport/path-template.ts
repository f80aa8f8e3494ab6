// The subset of google.api.http path templates FlyteIDL uses: literal segments and `{field.path}` variables
// that each capture one segment. Anything richer (`{x=**}`, verbs) is refused when the route table is built,
// so a new annotation in a future IDL fails loudly instead of routing wrongly.

export interface PathTemplate {
  readonly source: string;
  /** Field paths in the request message, in order of appearance. */
  readonly variables: string[][];
  match(path: string): Map<string, string> | undefined;
}

type Segment = { literal: string } | { variable: string[] };

export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new Error(`path template ${source} must start with /`);
  const segments: Segment[] = source
    .slice(1)
    .split("/")
    .map((s) => {
      const m = /^\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\}$/.exec(s);
      if (m) return { variable: m[1]!.split(".") };
      if (s.includes("{") || s.includes("}") || s.includes(":")) throw new Error(`unsupported path template segment ${s} in ${source}`);
      return { literal: s };
    });
  const variables = segments.flatMap((s) => ("variable" in s ? [s.variable] : []));
  return {
    source,
    variables,
    match(path) {
      const parts = path.replace(/^\//, "").split("/");
      if (parts.length !== segments.length) return undefined;
      const captured = new Map<string, string>();
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i]!;
        const part = parts[i]!;
        if ("literal" in seg) {
          if (seg.literal !== part) return undefined;
        } else {
          if (part === "") return undefined;
          let value: string;
          try {
            value = decodeURIComponent(part);
          } catch {
            return undefined;
          }
          captured.set(seg.variable.join("."), value);
        }
      }
      return captured;
    },
  };
}

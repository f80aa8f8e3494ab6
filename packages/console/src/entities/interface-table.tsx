// An interface (inputs or outputs) with each variable's type printed readably: list<integer>, map<string, float>.
import type { core } from "@aloft/idl";
import { typeLabel } from "../types/registry.tsx";

export function InterfaceTable({ caption, vars }: { caption: string; vars: { name: string; type: core.LiteralType | undefined; description: string }[] }) {
  if (vars.length === 0) return <p className="muted">No {caption.toLowerCase()}.</p>;
  return (
    <table aria-label={caption}>
      <thead>
        <tr>
          <th>{caption}</th>
          <th>Type</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {vars.map((v) => (
          <tr key={v.name}>
            <td className="mono">{v.name}</td>
            <td className="mono">{typeLabel(v.type)}</td>
            <td>{v.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

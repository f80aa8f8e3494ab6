// A form generated from a launch plan's interface: a control per input chosen by its type, each validated as
// typed, plus overrides (labels, overwrite cache).
import { useState, type FormEvent } from "react";
import type { core } from "@aloft/idl";
import { handlerFor, typeLabel } from "../types/registry.tsx";
import { buildInputs, fieldLiteral, type FormInput, type FormTexts } from "./form-model.ts";

export interface LaunchFormProps {
  inputs: FormInput[];
  initial: FormTexts;
  onLaunch: (inputs: core.LiteralMap, options: { overwriteCache: boolean; labels: Record<string, string> }) => Promise<void>;
  /** Uploads a chosen file and gives its URI (files and datasets can be entered by upload or by URI). */
  upload?: (file: File) => Promise<string>;
}

function UploadButton({ input, upload, onUploaded }: { input: FormInput; upload: (file: File) => Promise<string>; onUploaded: (uri: string) => void }) {
  const [state, setState] = useState<string>();
  return (
    <span>
      <label>
        Upload a file for {input.name}{" "}
        <input
          type="file"
          disabled={input.fixed}
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            setState(`uploading ${file.name}…`);
            try {
              onUploaded(await upload(file));
              setState(`uploaded ${file.name}`);
            } catch (err) {
              setState(err instanceof Error ? err.message : String(err));
            }
          }}
        />
      </label>{" "}
      {state && <span className="muted" role="status">{state}</span>}
    </span>
  );
}

function Field({ input, text, error, onChange, upload }: { input: FormInput; text: string; error: string | undefined; onChange: (t: string) => void; upload: LaunchFormProps["upload"] }) {
  const h = handlerFor(input.type);
  const id = `input-${input.name}`;
  const errId = `${id}-error`;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-describedby": error ? errId : undefined, disabled: input.fixed };
  let control;
  switch (h?.control) {
    case "checkbox":
      control = <input type="checkbox" {...common} checked={text === "true"} onChange={(e) => onChange(e.target.checked ? "true" : "false")} />;
      break;
    case "select":
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">(choose)</option>
          {h.options?.(input.type).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case "json":
      control = <textarea {...common} className="mono" spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)} placeholder="JSON" />;
      break;
    default:
      control = <input type="text" {...common} className="mono" inputMode={h?.control === "number" ? "decimal" : undefined} value={text} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {input.name}
        <span className="type">
          {typeLabel(input.type)}
          {input.required ? " (required)" : ""}
        </span>
      </label>
      {input.description && <span className="muted">{input.description}</span>}
      {control}
      {upload && (input.type.type.case === "blob" || input.type.type.case === "structuredDatasetType") && (
        <UploadButton input={input} upload={upload} onUploaded={onChange} />
      )}
      {error && (
        <span id={errId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function LaunchForm({ inputs, initial, onLaunch, upload }: LaunchFormProps) {
  const [texts, setTexts] = useState<FormTexts>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [overwriteCache, setOverwriteCache] = useState(false);
  const [labels, setLabels] = useState("");
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string>();

  const change = (input: FormInput, t: string) => {
    setTexts((s) => ({ ...s, [input.name]: t }));
    // A field already marked wrong is re-checked as it is edited, so its message goes away once it is right.
    if (errors[input.name]) setErrors(({ [input.name]: _, ...rest }) => ({ ...rest, ...(fieldLiteral(input, t).error ? { [input.name]: fieldLiteral(input, t).error! } : {}) }));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitError(undefined);
    const r = buildInputs(inputs, texts);
    const labelMap: Record<string, string> = {};
    const labelErrors: string[] = [];
    for (const part of labels.split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = /^([a-z0-9]([-a-z0-9_.]*[a-z0-9])?)=([-a-zA-Z0-9_.]*)$/.exec(part);
      if (m) labelMap[m[1]!] = m[3]!;
      else labelErrors.push(part);
    }
    setErrors({ ...r.errors, ...(labelErrors.length > 0 ? { "(labels)": `not key=value: ${labelErrors.join(", ")}` } : {}) });
    if (!r.literals || labelErrors.length > 0) return;
    setBusy(true);
    try {
      await onLaunch(r.literals, { overwriteCache, labels: labelMap });
    } catch (err) {
      setSubmitError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Launch">
      {inputs.length === 0 && <p className="muted">This launch plan takes no inputs.</p>}
      {inputs.map((i) => (
        <Field key={i.name} input={i} text={texts[i.name] ?? ""} error={errors[i.name]} onChange={(t) => change(i, t)} upload={upload} />
      ))}
      <details>
        <summary>Overrides</summary>
        <div className="field">
          <label htmlFor="labels">Labels</label>
          <input id="labels" type="text" placeholder="team=ml, run=nightly" value={labels} onChange={(e) => setLabels(e.target.value)} />
          {errors["(labels)"] && <span className="field-error">{errors["(labels)"]}</span>}
        </div>
        <label>
          <input type="checkbox" checked={overwriteCache} onChange={(e) => setOverwriteCache(e.target.checked)} /> Overwrite cached outputs
        </label>
      </details>
      {submitError && <p role="alert">Launch failed: {submitError}</p>}
      <p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Launching…" : "Launch"}
        </button>
      </p>
    </form>
  );
}

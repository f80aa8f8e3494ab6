// Files, directories (blobs), structured datasets and schemas: entered by URI, shown with a download link.
import { useState } from "react";
import { downloadLink } from "../api/client.ts";
import { FieldError, type TypeHandler } from "./handler.ts";

function DownloadLink({ uri }: { uri: string }) {
  const [error, setError] = useState<string>();
  const open = async () => {
    try {
      const url = await downloadLink(uri);
      if (url) window.open(url, "_blank", "noopener");
      else setError("the server gave no link");
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void open()} aria-label={`Download ${uri}`}>
        Download
      </button>
      {error && <span className="field-error"> {error}</span>}
    </>
  );
}

function parseUri(text: string): string {
  const s = text.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\/./i.test(s)) throw new FieldError(s === "" ? "enter a URI (s3://…, file:///…)" : `"${s}" is not a URI (s3://…, file:///…)`);
  return s;
}

export const blobType: TypeHandler = {
  control: "text",
  view(v) {
    const b = v as { uri: string; format: string; dimensionality: string };
    return (
      <span>
        <span className="mono">{b.uri}</span> <span className="muted">({b.dimensionality === "multipart" ? "directory" : "file"}{b.format ? `, ${b.format}` : ""})</span>{" "}
        {b.dimensionality !== "multipart" && <DownloadLink uri={b.uri} />}
      </span>
    );
  },
  toText: (v) => (v as { uri: string }).uri,
  parse: parseUri,
};

export const structuredDatasetType: TypeHandler = {
  control: "text",
  view(v) {
    const d = v as { uri: string; format: string };
    return (
      <span>
        <span className="mono">{d.uri}</span> <span className="muted">(dataset{d.format ? `, ${d.format}` : ""})</span>
      </span>
    );
  },
  toText: (v) => (v as { uri: string }).uri,
  parse: parseUri,
};

"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";

interface ApiError {
  code: string;
  message: string;
  details: { row?: number; rows?: number[]; column?: string; [k: string]: unknown };
}

interface UploadResult {
  dataset: { name: string };
  created: boolean;
  series: { id: number; name: string; pointCount: number; inserted: number; updated: number }[];
  warnings: string[];
}

type Status = { kind: "idle" } | { kind: "busy"; text: string } | { kind: "error"; error: ApiError } | { kind: "done"; text: string; warnings: string[] };

/** Drop zone + file picker + sample loader. Errors stay next to the drop zone, with the rows at fault. */
export function UploadPanel() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  async function upload(file: File) {
    setStatus({ kind: "busy", text: `Importing ${file.name} (${(file.size / 1024).toFixed(0)} KB)…` });
    const form = new FormData();
    form.append("file", file);
    try {
      const res = await fetch("/api/datasets", { method: "POST", body: form });
      const body = (await res.json()) as UploadResult | { error: ApiError };
      if ("error" in body) {
        setStatus({ kind: "error", error: body.error });
        return;
      }
      const points = body.series.reduce((n, s) => n + s.inserted, 0);
      const updated = body.series.reduce((n, s) => n + s.updated, 0);
      setStatus({
        kind: "done",
        text: `${body.created ? "Imported" : "Merged into"} "${body.dataset.name}": ${body.series.length} series, ${points.toLocaleString("en-US")} new points${updated ? `, ${updated.toLocaleString("en-US")} updated` : ""}.`,
        warnings: body.warnings,
      });
      router.refresh();
    } catch (err) {
      setStatus({ kind: "error", error: { code: "NETWORK", message: `The upload failed: ${(err as Error).message}`, details: {} } });
    } finally {
      if (input.current) input.current.value = "";
    }
  }

  async function loadSample() {
    setStatus({ kind: "busy", text: "Loading sample stock prices…" });
    const res = await fetch("/api/datasets/sample", { method: "POST" });
    if (!res.ok) {
      const body = (await res.json()) as { error: ApiError };
      setStatus({ kind: "error", error: body.error });
      return;
    }
    setStatus({ kind: "done", text: "Loaded the sample stock prices (vega-datasets).", warnings: [] });
    router.refresh();
  }

  const busy = status.kind === "busy";
  return (
    <div
      className={`dropzone${dragging ? " active" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const file = e.dataTransfer.files[0];
        if (file) void upload(file);
      }}
      aria-label="Drop zone"
    >
      <p>
        <strong>Drop a CSV file here</strong> or
      </p>
      <div className="row" style={{ justifyContent: "center" }}>
        <label className="btn" htmlFor="csv-file">
          Choose file…
        </label>
        <input
          id="csv-file"
          ref={input}
          className="visually-hidden"
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          aria-label="Upload CSV"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void upload(file);
          }}
        />
        <button type="button" className="btn secondary" onClick={loadSample} disabled={busy}>
          Load sample data
        </button>
      </div>
      <div aria-live="polite">
        {status.kind === "busy" && <p className="subtle">{status.text}</p>}
        {status.kind === "done" && (
          <div className="ok-box" role="status">
            {status.text}
            {status.warnings.length > 0 && (
              <ul>
                {status.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {status.kind === "error" && <UploadError error={status.error} />}
      </div>
    </div>
  );
}

function UploadError({ error }: { error: ApiError }) {
  const rows = error.details.rows ?? (error.details.row !== undefined ? [error.details.row] : []);
  return (
    <div className="error-box" role="alert">
      <strong>The file was not imported.</strong> {error.message}
      {(rows.length > 0 || error.details.column) && (
        <ul>
          {rows.length > 0 && <li>Row{rows.length > 1 ? "s" : ""}: {rows.join(", ")}</li>}
          {error.details.column && <li>Column: {String(error.details.column)}</li>}
        </ul>
      )}
    </div>
  );
}

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
  renamedFrom: string | null;
  dryRun: boolean;
  series: { id: number; name: string; pointCount: number; inserted: number; updated: number }[];
  warnings: string[];
}

/** What an append would do, shown before anything is stored. */
interface Preview {
  file: File;
  dataset: string;
  result: UploadResult;
}

type Status =
  | { kind: "idle" }
  | { kind: "busy"; text: string }
  | { kind: "error"; error: ApiError }
  | { kind: "done"; text: string; warnings: string[] }
  | { kind: "preview"; preview: Preview };

const count = (n: number) => n.toLocaleString("en-US");
const sum = (r: UploadResult, key: "inserted" | "updated") => r.series.reduce((n, s) => n + s[key], 0);

async function post(file: File, fields: Record<string, string>): Promise<UploadResult | { error: ApiError }> {
  const form = new FormData();
  form.append("file", file);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch("/api/datasets", { method: "POST", body: form });
  return (await res.json()) as UploadResult | { error: ApiError };
}

/**
 * Drop zone + file picker + sample loader, and "Append to dataset…": pick a dataset and a file,
 * see how many points the file adds and changes (a dry run), then append or cancel. A plain
 * upload is always a new dataset (renamed if its name is taken). Errors stay next to the drop
 * zone, with the rows at fault.
 */
export function UploadPanel({ datasets }: { datasets: string[] }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const appendInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const [appending, setAppending] = useState(false);
  const [picked, setPicked] = useState("");
  // The dataset list changes after an upload: keep the pick while it exists, else the first one.
  const target = datasets.includes(picked) ? picked : (datasets[0] ?? "");

  const fail = (err: unknown) => setStatus({ kind: "error", error: { code: "NETWORK", message: `The upload failed: ${(err as Error).message}`, details: {} } });

  async function upload(file: File) {
    setStatus({ kind: "busy", text: `Importing ${file.name} (${(file.size / 1024).toFixed(0)} KB)…` });
    try {
      const body = await post(file, {});
      if ("error" in body) return setStatus({ kind: "error", error: body.error });
      const updated = sum(body, "updated");
      setStatus({
        kind: "done",
        text: `Imported "${body.dataset.name}": ${body.series.length} series, ${count(sum(body, "inserted"))} new points${updated ? `, ${count(updated)} updated` : ""}.`,
        warnings: body.warnings,
      });
      router.refresh();
    } catch (err) {
      fail(err);
    } finally {
      if (input.current) input.current.value = "";
    }
  }

  async function previewAppend(file: File) {
    const dataset = target;
    setStatus({ kind: "busy", text: `Checking what ${file.name} would add to "${dataset}"…` });
    try {
      const body = await post(file, { name: dataset, mode: "append", dryRun: "true" });
      if ("error" in body) return setStatus({ kind: "error", error: body.error });
      setStatus({ kind: "preview", preview: { file, dataset, result: body } });
    } catch (err) {
      fail(err);
    } finally {
      if (appendInput.current) appendInput.current.value = "";
    }
  }

  async function confirmAppend({ file, dataset }: Preview) {
    setStatus({ kind: "busy", text: `Appending ${file.name} to "${dataset}"…` });
    try {
      const body = await post(file, { name: dataset, mode: "append" });
      if ("error" in body) return setStatus({ kind: "error", error: body.error });
      setStatus({
        kind: "done",
        text: `Appended ${file.name} to "${dataset}": ${count(sum(body, "inserted"))} points added, ${count(sum(body, "updated"))} changed.`,
        warnings: body.warnings,
      });
      setAppending(false);
      router.refresh();
    } catch (err) {
      fail(err);
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
    setStatus({ kind: "done", text: res.status === 201 ? "Loaded the sample stock prices (vega-datasets)." : "The sample stock prices are already loaded.", warnings: [] });
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
        {datasets.length > 0 && (
          <button type="button" className="btn secondary" aria-expanded={appending} onClick={() => setAppending(!appending)} disabled={busy}>
            Append to dataset…
          </button>
        )}
        <button type="button" className="btn secondary" onClick={loadSample} disabled={busy}>
          Load sample data
        </button>
      </div>
      {appending && (
        <div className="row tc-append" role="group" aria-label="Append to dataset">
          <label>
            Dataset{" "}
            <select value={target} onChange={(e) => setPicked(e.target.value)} disabled={busy}>
              {datasets.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label className="btn secondary" htmlFor="csv-append">
            Choose file to append…
          </label>
          <input
            id="csv-append"
            ref={appendInput}
            className="visually-hidden"
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            aria-label="CSV to append"
            disabled={busy || !target}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void previewAppend(file);
            }}
          />
        </div>
      )}
      <div aria-live="polite">
        {status.kind === "busy" && <p className="subtle">{status.text}</p>}
        {status.kind === "preview" && <AppendPreview preview={status.preview} onConfirm={() => void confirmAppend(status.preview)} onCancel={() => setStatus({ kind: "idle" })} />}
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

/** The dry run's counts per series, with Append and Cancel: nothing is stored until Append. */
function AppendPreview({ preview, onConfirm, onCancel }: { preview: Preview; onConfirm: () => void; onCancel: () => void }) {
  const { result, file, dataset } = preview;
  const added = sum(result, "inserted");
  const changed = sum(result, "updated");
  const fresh = result.series.filter((s) => s.pointCount === s.inserted).length;
  return (
    <div className="ok-box tc-preview" role="region" aria-label="Append preview">
      <p>
        <strong>
          Appending {file.name} to &ldquo;{dataset}&rdquo; will add {count(added)} point{added === 1 ? "" : "s"} and change {count(changed)}.
        </strong>{" "}
        Nothing is stored until you append.
      </p>
      <ul>
        {result.series.map((s) => (
          <li key={s.name}>
            {s.name}: {count(s.inserted)} added, {count(s.updated)} changed{s.pointCount === s.inserted ? " (a new series)" : ""}
          </li>
        ))}
      </ul>
      {fresh > 0 && fresh === result.series.length && <p>None of the file&rsquo;s series is in &ldquo;{dataset}&rdquo; yet: is it the right dataset?</p>}
      <div className="row">
        <button type="button" className="btn" onClick={onConfirm}>
          Append
        </button>
        <button type="button" className="btn secondary" onClick={onCancel}>
          Cancel
        </button>
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

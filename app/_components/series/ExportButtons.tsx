"use client";

import { useState } from "react";

/**
 * "Export CSV" / "Export JSON": downloads the current forecast (or the selected run's) through
 * GET /api/series/{id}/forecast.(csv|json). The file is fetched first so a "no forecast yet"
 * answer shows as a message instead of a broken download.
 */
export function ExportButtons({ seriesId, runId, datasetId, datasetName }: { seriesId: number; runId: number | null; datasetId: number; datasetName: string }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState<"csv" | "json" | null>(null);

  const download = async (format: "csv" | "json") => {
    setError("");
    setBusy(format);
    try {
      const url = `/api/series/${seriesId}/forecast.${format}${runId ? `?run=${runId}` : ""}`;
      const res = await fetch(url, { cache: "no-store" });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The export failed (HTTP ${res.status}).`);
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? `forecast.${format}`;
      const blob = await res.blob();
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="tc-export">
      <div className="row">
        <button type="button" className="btn secondary" disabled={busy !== null} onClick={() => void download("csv")}>
          Export CSV
        </button>
        <button type="button" className="btn secondary" disabled={busy !== null} onClick={() => void download("json")}>
          Export JSON
        </button>
        <a className="subtle tc-small" href={`/api/datasets/${datasetId}/forecast.csv`} download title={`The current forecast of every series of ${datasetName}, in one CSV`}>
          All series of {datasetName} (CSV)
        </a>
      </div>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

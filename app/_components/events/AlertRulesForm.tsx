"use client";

import { useEffect, useState } from "react";
import { ApiError, fetchAlertRules, saveAlertRules, type AlertRules } from "../series/api";

type Draft = Record<"bandBreaks" | "maseFactor" | "minCoverage95" | "window" | "minPoints", string> & { runFailed: boolean; scheduleMissed: boolean };

const toDraft = (r: AlertRules): Draft => ({
  bandBreaks: String(r.bandBreaks),
  maseFactor: String(r.maseFactor),
  minCoverage95: String(Math.round(r.minCoverage95 * 100)),
  window: String(r.window),
  minPoints: String(r.minPoints),
  runFailed: r.runFailed,
  scheduleMissed: r.scheduleMissed,
});

/** The series' alert rules (the defaults until changed), edited in place; the API checks every field. */
export function AlertRulesForm({ seriesId }: { seriesId: number }) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetchAlertRules(seriesId).then((r) => setDraft(toDraft(r)), (err: Error) => setError(err.message));
  }, [seriesId]);

  if (!draft) return error ? <p className="error-box">{error}</p> : null;
  const set = (k: keyof Draft, v: string | boolean) => setDraft({ ...draft, [k]: v });
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    setMessage("");
    try {
      const saved = await saveAlertRules(seriesId, {
        bandBreaks: Number(draft.bandBreaks),
        maseFactor: Number(draft.maseFactor),
        minCoverage95: Number(draft.minCoverage95) / 100,
        window: Number(draft.window),
        minPoints: Number(draft.minPoints),
        runFailed: draft.runFailed,
        scheduleMissed: draft.scheduleMissed,
      });
      setDraft(toDraft(saved));
      setMessage("Alert rules saved.");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const num = (k: "bandBreaks" | "maseFactor" | "minCoverage95" | "window" | "minPoints", label: string, hint: string) => (
    <div className="tc-field">
      <label className="field" htmlFor={`rule-${k}`}>
        {label}
      </label>
      <input id={`rule-${k}`} type="text" inputMode="decimal" value={draft[k]} onChange={(e) => set(k, e.target.value)} />
      <span className="tc-field-hint">{hint}</span>
    </div>
  );
  return (
    <details className="tc-details">
      <summary>Alert rules</summary>
      <form onSubmit={save} aria-label="Alert rules" noValidate>
        <div className="tc-form-grid">
          {num("bandBreaks", "Band breaks in a row", "actuals outside the 95% band")}
          {num("maseFactor", "MASE over promise ×", "realised / holdout MASE")}
          {num("minCoverage95", "95% coverage below (%)", "over the last N dates")}
          {num("window", "Window N (dates)", "rolling accuracy")}
          {num("minPoints", "Fewest dates", "before judging accuracy")}
        </div>
        <div className="row tc-gap-top">
          <label className="tc-check">
            <input type="checkbox" checked={draft.runFailed} onChange={(e) => set("runFailed", e.target.checked)} /> A run failed
          </label>
          <label className="tc-check">
            <input type="checkbox" checked={draft.scheduleMissed} onChange={(e) => set("scheduleMissed", e.target.checked)} /> A schedule missed
          </label>
          <button type="submit" className="btn secondary small" disabled={busy}>
            Save rules
          </button>
          {message && (
            <span className="subtle tc-small" role="status">
              {message}
            </span>
          )}
        </div>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}

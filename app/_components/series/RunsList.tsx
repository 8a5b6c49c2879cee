"use client";

import type { Run } from "./api";
import { MODEL_LABEL, formatDuration, formatMetric, promotionSummary, runDuration } from "./format";

const STATUS_LABEL: Record<Run["status"], string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

function summary(run: Run): string {
  const c = run.config;
  const model = MODEL_LABEL[String(c.model)] ?? String(c.model ?? "auto");
  const chosen = run.metrics?.chosen?.model;
  const parts = [chosen && String(c.model) === "auto" ? `Auto → ${chosen}` : model];
  if (c.hiddenSize !== undefined) parts.push(`h${String(c.hiddenSize)}`);
  if (c.lookback !== undefined) parts.push(`lookback ${String(c.lookback)}`);
  if (c.horizon !== undefined) parts.push(`horizon ${String(c.horizon)}`);
  return parts.join(" · ");
}

function progressText(run: Run): string {
  const p = run.progress;
  if (run.status === "queued") return run.error ? "Waiting to retry" : "Waiting for a worker";
  const epoch = p.epoch ?? 0;
  const member = p.members && p.members > 1 && p.member !== null ? ` · model ${Math.max(1, p.member)}/${p.members}` : "";
  const eta = p.etaMs !== null && p.etaMs > 0 ? ` · ETA ${formatDuration(p.etaMs)}` : "";
  return `Epoch ${epoch}/${p.epochs}${member}${eta}`;
}

/**
 * The series' runs, newest first: status, live progress (epoch k/n, ETA), duration, holdout
 * MASE/sMAPE, and the promotion decision (promoted over the current model, or kept with both
 * scores). A row's "Show" selects it for the loss chart, metrics and forecast; ticking two
 * "Compare" boxes overlays both runs; "Make current" points the series at a run's forecast.
 */
export function RunsList({
  runs,
  selectedId,
  compareIds,
  now,
  busyId,
  onSelect,
  onToggleCompare,
  onCancel,
  onMakeCurrent,
}: {
  runs: Run[];
  selectedId: number | null;
  compareIds: number[];
  now: number;
  busyId: number | null;
  onSelect: (id: number) => void;
  onToggleCompare: (id: number) => void;
  onCancel: (id: number) => void;
  onMakeCurrent: (id: number) => void;
}) {
  if (runs.length === 0) return <p className="empty">No runs yet: train a model below.</p>;
  return (
    <div className="tc-table-scroll">
      <table aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col" className="num">
              MASE
            </th>
            <th scope="col" className="num">
              sMAPE
            </th>
            <th scope="col">Compare</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const inFlight = run.status === "queued" || run.status === "running";
            const selected = run.id === selectedId;
            const duration = runDuration(run.startedAt, run.finishedAt, now);
            return (
              <tr key={run.id} className={selected ? "tc-selected" : undefined} aria-selected={selected} aria-label={`Run #${run.id}`}>
                <td>
                  <button type="button" className="tc-link" onClick={() => onSelect(run.id)} aria-pressed={selected} aria-label={`Show run #${run.id}`}>
                    #{run.id}
                  </button>{" "}
                  {run.isCurrent && <span className="badge">current</span>}
                  {run.scheduleId !== null && <span className="badge tc-badge-muted">scheduled</span>}
                  <div className="subtle tc-small">{summary(run)}</div>
                  {run.promotion && (
                    <div className={`tc-small tc-promotion tc-promotion-${run.promotion.decision}`} title={run.promotion.reason} aria-label={`Promotion of run #${run.id}`}>
                      {promotionSummary(run.promotion)}
                    </div>
                  )}
                </td>
                <td>
                  <span className={`tc-status tc-status-${run.status}`}>{run.cancelRequested && inFlight ? "Stopping…" : STATUS_LABEL[run.status]}</span>
                  {run.error && !inFlight && (
                    <div className="tc-small tc-error-text" title={run.error}>
                      {run.error.length > 80 ? `${run.error.slice(0, 80)}…` : run.error}
                    </div>
                  )}
                </td>
                <td className="tc-progress-cell">
                  {inFlight ? (
                    <>
                      <div
                        className="tc-progress"
                        role="progressbar"
                        aria-label={`Run #${run.id} progress`}
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={Math.round(run.progress.percent)}
                        aria-valuetext={progressText(run)}
                      >
                        <div className="tc-progress-fill" style={{ width: `${Math.max(2, run.progress.percent)}%` }} />
                      </div>
                      <div className="tc-small subtle">{progressText(run)}</div>
                    </>
                  ) : (
                    <span className="tc-small">{duration === null ? "—" : formatDuration(duration)}</span>
                  )}
                </td>
                <td className="num">{formatMetric(run.metrics?.model.mase)}</td>
                <td className="num">{run.metrics ? `${formatMetric(run.metrics.model.smape, 2)}%` : "—"}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare run #${run.id}`}
                    checked={compareIds.includes(run.id)}
                    disabled={!compareIds.includes(run.id) && compareIds.length >= 2}
                    onChange={() => onToggleCompare(run.id)}
                  />
                </td>
                <td className="tc-actions">
                  {inFlight && (
                    <button type="button" className="btn danger small" disabled={busyId === run.id || run.cancelRequested} onClick={() => onCancel(run.id)} aria-label={`Cancel run #${run.id}`}>
                      Cancel
                    </button>
                  )}
                  {run.status === "succeeded" && !run.isCurrent && run.forecastId !== null && (
                    <button type="button" className="btn secondary small" disabled={busyId === run.id} onClick={() => onMakeCurrent(run.id)} aria-label={`Make run #${run.id} current`}>
                      Make current
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

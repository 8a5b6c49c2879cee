"use client";

import { useEffect, useMemo, useState } from "react";
import { AccuracyChart, type PastForecastSeries } from "../charts/AccuracyChart";
import { fetchAccuracy, fetchPastForecasts, type PastForecastView, type PointsPayload, type SeriesAccuracyView } from "./api";
import { formatMetric, formatPercent } from "./format";
import { formatTs } from "../../_lib/format";

const PALETTE = ["#d9480f", "#7b2cbf", "#1d7a46", "#0b6bcb", "#b08900", "#c2255c", "#2b8a99", "#6b4f2a"];
const fill = (hex: string, alpha: number) => {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
};

const STATUS_TEXT: Record<SeriesAccuracyView["rolling"]["status"], string> = {
  healthy: "healthy",
  drifting: "drifting",
  unscored: "no actuals yet",
};

function toSeries(f: PastForecastView, i: number, frequency: string): PastForecastSeries {
  const color = PALETTE[i % PALETTE.length];
  const from = f.origin !== null ? `from ${formatTs(f.origin, frequency)}` : `#${f.forecastId}`;
  return {
    key: `f${f.forecastId}`,
    label: `Run #${f.runId ?? "?"} ${from}${f.isCurrent ? " (current)" : f.served ? "" : " (kept)"}`,
    color,
    band80: fill(color, 0.16),
    band95: fill(color, 0.08),
    ts: f.dates.map((d) => d.ts),
    value: f.dates.map((d) => d.value),
    lo80: f.dates.map((d) => d.lo80),
    hi80: f.dates.map((d) => d.hi80),
    lo95: f.dates.map((d) => d.lo95),
    hi95: f.dates.map((d) => d.hi95),
  };
}

function chartSummary(past: PastForecastView[], a: SeriesAccuracyView | null): string {
  const scored = past.filter((f) => f.points > 0);
  if (past.length === 0) return "No stored forecast yet.";
  const parts = [`${past.length} past forecast${past.length > 1 ? "s" : ""} over the actual values; ${scored.length} with actuals.`];
  const last = a?.rolling.last;
  if (last && last.points > 0) parts.push(`The last ${last.points} dates: MASE ${formatMetric(last.mase)}, ${formatPercent(last.coverage95)} inside the 95% band.`);
  return parts.join(" ");
}

type Row = { name: string; points: number | null; mae: number | null; smape: number | null; mase: number | null; coverage80: number | null; coverage95: number | null; bias: number | null };

/**
 * "Forecast vs actual": the series' past forecasts from each origin drawn over the actual values
 * with their bands, the realised accuracy beside the holdout accuracy that was promised (in plain
 * words, then figures), and each forecast's own score.
 */
export function AccuracyPanel({ seriesId, frequency, history, refreshKey }: { seriesId: number; frequency: string; history: PointsPayload | null; refreshKey: number }) {
  const [accuracy, setAccuracy] = useState<SeriesAccuracyView | null>(null);
  const [past, setPast] = useState<PastForecastView[]>([]);
  const [error, setError] = useState("");

  useEffect(() => {
    Promise.all([fetchAccuracy(seriesId), fetchPastForecasts(seriesId, 6)]).then(
      ([a, p]) => {
        setAccuracy(a);
        setPast(p);
        setError("");
      },
      (err: Error) => setError(err.message),
    );
  }, [seriesId, refreshKey]);

  const series = useMemo(() => past.map((f, i) => toSeries(f, i, frequency)), [past, frequency]);
  const r = accuracy?.rolling;
  const rows: Row[] = [];
  if (r) {
    rows.push({ name: `Last ${r.last.points || r.window} dates`, ...r.last });
    if (r.sincePromotion) rows.push({ name: `Current model (run #${r.sincePromotion.runId ?? "?"}) since promoted`, ...r.sincePromotion });
    if (r.promised) rows.push({ name: `Promised by its backtest`, points: null, mae: null, bias: null, ...r.promised });
  }
  const tone = !r || r.realisedVsPromised === null ? "neutral" : r.status !== "drifting" && r.realisedVsPromised.ratio <= 1.1 ? "good" : "bad";

  return (
    <section className="panel" aria-label="Forecast vs actual">
      <div className="row tc-spread">
        <h2>Forecast vs actual</h2>
        {r && <span className={`tc-health tc-health-${r.status}`}>{STATUS_TEXT[r.status]}</span>}
      </div>
      {r && (
        <p className={`tc-verdict ${tone}`} role="status" aria-label="Realised accuracy">
          {r.summary}
          {r.outsideStreak > 0 && ` The newest ${r.outsideStreak === 1 ? "actual is" : `${r.outsideStreak} actuals are`} outside the 95% band.`}
        </p>
      )}
      <AccuracyChart history={history} forecasts={series} actualColor="#17202a" summary={chartSummary(past, accuracy)} />
      {rows.length > 0 && (
        <div className="tc-table-scroll">
          <table aria-label="Realised and promised accuracy">
            <thead>
              <tr>
                <th scope="col">Accuracy</th>
                <th scope="col" className="num">
                  Dates
                </th>
                <th scope="col" className="num">
                  MAE
                </th>
                <th scope="col" className="num">
                  sMAPE
                </th>
                <th scope="col" className="num" title="Mean absolute scaled error: the error over the in-sample seasonal naive error before each forecast">
                  MASE
                </th>
                <th scope="col" className="num">
                  80% cov.
                </th>
                <th scope="col" className="num">
                  95% cov.
                </th>
                <th scope="col" className="num" title="Mean of forecast minus actual: above 0, the forecasts ran high">
                  Bias
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name}>
                  <th scope="row">{row.name}</th>
                  <td className="num">{row.points ?? "—"}</td>
                  <td className="num">{formatMetric(row.mae)}</td>
                  <td className="num">{row.smape === null ? "—" : `${formatMetric(row.smape, 2)}%`}</td>
                  <td className="num">{formatMetric(row.mase)}</td>
                  <td className="num">{formatPercent(row.coverage80)}</td>
                  <td className="num">{formatPercent(row.coverage95)}</td>
                  <td className="num">{formatMetric(row.bias)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {past.length > 0 && (
        <details className="tc-details">
          <summary>Each forecast ({past.length} newest)</summary>
          <table aria-label="Accuracy of each forecast">
            <thead>
              <tr>
                <th scope="col">Forecast</th>
                <th scope="col">Origin</th>
                <th scope="col" className="num">
                  Dates with actuals
                </th>
                <th scope="col" className="num">
                  MASE
                </th>
                <th scope="col" className="num">
                  Promised
                </th>
                <th scope="col" className="num">
                  95% cov.
                </th>
              </tr>
            </thead>
            <tbody>
              {past.map((f) => (
                <tr key={f.forecastId}>
                  <th scope="row">
                    Run #{f.runId ?? "?"} {f.isCurrent ? <span className="badge">current</span> : !f.served && <span className="badge tc-badge-muted">kept</span>}
                  </th>
                  <td>{formatTs(f.origin, frequency)}</td>
                  <td className="num">
                    {f.points} of {f.dates.length}
                  </td>
                  <td className="num">{formatMetric(f.mase)}</td>
                  <td className="num">{formatMetric(f.promisedMase)}</td>
                  <td className="num">{formatPercent(f.coverage95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

import type { MetricValues, RunMetrics } from "./api";
import { formatMetric, formatPercent } from "./format";

type Col = { key: keyof MetricValues; label: string; title: string; kind: "error" | "percentError" | "coverage"; nominal?: number };

const COLUMNS: Col[] = [
  { key: "mae", label: "MAE", title: "Mean absolute error", kind: "error" },
  { key: "rmse", label: "RMSE", title: "Root mean squared error", kind: "error" },
  { key: "smape", label: "sMAPE", title: "Symmetric mean absolute percentage error", kind: "percentError" },
  { key: "mase", label: "MASE", title: "Mean absolute scaled error (below 1 beats the in-sample seasonal naive)", kind: "error" },
  { key: "coverage80", label: "80% cov.", title: "Share of holdout values inside the 80% interval", kind: "coverage", nominal: 0.8 },
  { key: "coverage95", label: "95% cov.", title: "Share of holdout values inside the 95% interval", kind: "coverage", nominal: 0.95 },
];

/** How far a value is from ideal: lower is better (errors; coverage by distance to its level). */
function badness(col: Col, v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return col.kind === "coverage" ? Math.abs(v - (col.nominal ?? 0)) : v;
}

function lowerBy(a: number, b: number): string {
  const pct = (1 - a / b) * 100;
  return pct >= 10 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
}

/**
 * The model against the classical baselines on the holdout, best value of each column marked,
 * and one plain sentence on whether the model beats seasonal naive.
 */
export function MetricsTable({ metrics, runId, modelLabel }: { metrics: RunMetrics | null; runId: number | null; modelLabel: string }) {
  if (!metrics) {
    return <p className="empty">Metrics appear here when a run finishes: the model against naive, seasonal naive and naive2 on a held-out window.</p>;
  }
  const rows: { name: string; m: MetricValues | undefined; model?: boolean }[] = [
    { name: `Model (${modelLabel})`, m: metrics.model, model: true },
    { name: "Naive", m: metrics.naive },
    { name: "Seasonal naive", m: metrics.seasonalNaive },
    { name: "Naive2", m: metrics.naive2 },
  ];
  const present = rows.filter((r): r is { name: string; m: MetricValues; model?: boolean } => r.m !== undefined);
  const best = new Map<string, number>();
  for (const col of COLUMNS) {
    let min = Number.POSITIVE_INFINITY;
    let values = 0;
    for (const r of present) {
      const b = badness(col, r.m[col.key]);
      if (b === null) continue;
      values++;
      if (b < min) min = b;
    }
    // "best" needs something to beat: a column with one value (coverage of the model alone) has none
    if (values >= 2) best.set(col.key, min);
  }
  const sn = metrics.seasonalNaive;
  const beats: boolean | null = typeof metrics.beatsSeasonalNaive === "boolean" ? metrics.beatsSeasonalNaive : null;
  const mase = metrics.model.mase;
  const snMase = sn?.mase ?? null;
  let sentence: string;
  if (beats === null || !sn) sentence = "There is no seasonal naive baseline to compare with.";
  else if (beats && metrics.model.mae === sn.mae) sentence = "It ties with seasonal naive on the holdout (the same errors).";
  else if (beats)
    sentence = `Yes: the model beats seasonal naive on the holdout${mase !== null && snMase !== null && snMase > 0 ? ` (MASE ${formatMetric(mase)} vs ${formatMetric(snMase)}, ${lowerBy(mase, snMase)} lower error)` : ""}.`;
  else
    sentence = `No: the model does not beat seasonal naive on the holdout${mase !== null && snMase !== null ? ` (MASE ${formatMetric(mase)} vs ${formatMetric(snMase)})` : ""}; prefer the seasonal naive forecast or give it more history.`;
  return (
    <div>
      <p className={beats ? "tc-verdict good" : "tc-verdict bad"} role="status" aria-label="Verdict">
        {sentence}
      </p>
      <div className="tc-table-scroll">
        <table aria-label={`Holdout metrics${runId ? ` of run #${runId}` : ""}`}>
          <thead>
            <tr>
              <th scope="col">Forecast</th>
              {COLUMNS.map((c) => (
                <th key={c.key} scope="col" className="num" title={c.title}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {present.map((r) => (
              <tr key={r.name} className={r.model ? "tc-model-row" : undefined}>
                <th scope="row">{r.name}</th>
                {COLUMNS.map((c) => {
                  const v = r.m[c.key];
                  const b = badness(c, v);
                  const isBest = b !== null && best.get(c.key) === b;
                  const text = c.kind === "coverage" ? formatPercent(v) : c.kind === "percentError" ? (v === null || v === undefined ? "—" : `${formatMetric(v, 2)}%`) : formatMetric(v);
                  return (
                    <td key={c.key} className={isBest ? "num tc-best" : "num"} aria-label={isBest ? `${text} (best)` : undefined}>
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {metrics.note && <p className="subtle tc-note">{metrics.note}</p>}
    </div>
  );
}

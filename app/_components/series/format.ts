/** Small display helpers of the series page. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - 60 * m)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - 60 * h} min`;
}

export function runDuration(startedAt: string | null, finishedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

/** "2026-11-28 06:00" in the viewer's time zone, with the zone's short name. */
export function formatLocal(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString("en-GB", { year: "numeric", month: "short", day: "2-digit", weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}

export function formatMetric(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: abs < 10 ? Math.min(2, digits) : 0 });
}

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  return `${Math.round(fraction * 100)}%`;
}

export const MODEL_LABEL: Record<string, string> = { auto: "Auto", lstm: "LSTM", gru: "GRU", rnn: "RNN" };

/** Two decimals for the promotion line, like "MASE 0.91 vs 0.84". */
const score2 = (v: number | null) => (v === null ? "—" : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/**
 * One line on a run's promotion decision for the runs list ("kept run #3: challenger #7 MASE 0.91
 * vs 0.84"); the full reason goes in its title.
 */
export function promotionSummary(p: {
  decision: "promoted" | "kept" | "manual";
  metric: string | null;
  challenger: { runId: number; score: number | null };
  champion: { runId: number | null; score: number | null } | null;
  reason: string;
}): string {
  const metric = (p.metric ?? "").toUpperCase();
  const scores = p.metric && p.champion && p.challenger.score !== null && p.champion.score !== null ? `${metric} ${score2(p.challenger.score)} vs ${score2(p.champion.score)}` : null;
  const champ = p.champion?.runId !== undefined && p.champion?.runId !== null ? `run #${p.champion.runId}` : "the current forecast";
  if (p.decision === "manual") return `Made current by hand${p.champion ? `, replacing ${champ}` : ""}`;
  if (p.decision === "kept") return `Kept ${champ}: challenger #${p.challenger.runId} ${scores ?? `not compared (${p.reason.replace(/^Kept as a candidate: /, "").replace(/\.$/, "")})`}`;
  if (!p.champion) return "Promoted: the series' first forecast";
  if (/is invalid/.test(p.reason)) return `Promoted over ${champ}, which could not be evaluated`;
  if (/without a contest/.test(p.reason)) return `Promoted (${/by hand/.test(p.reason) ? "requested by hand" : 'schedule says "always"'})${scores ? `: ${scores} against ${champ}` : ""}`;
  return `Promoted over ${champ}${scores ? `: ${scores}` : ""}`;
}

/**
 * Retrains that must earn the place (pure part; lib/promotion replays the models and stores the
 * decision). A challenger's forecast becomes the series' current forecast only when it beats the
 * current model (the champion) on the same evaluation window with the same metric: the newest
 * held-out points of the challenger's own backtest, both forecasting them from the same origin.
 *
 * Leakage. The challenger's backtest forecast comes from a fit that never saw the window. The
 * champion's stored weights were fitted on every point up to its own origin, so any window date
 * at or before that origin is in its training data and it would be scored in-sample there, with
 * an unfair, optimistic error. Such dates are dropped from the window for BOTH models
 * (`seenUntil`), so both scores are out of sample; when no window date is left (no new data since
 * the champion was trained) there is no fair comparison and the challenger is kept. The
 * alternative, refitting the champion's configuration on the pre-window data, would score a model
 * that is not the one in service, at the cost of a second training.
 */
export type PromoteMode = "always" | "if-better";
export const PROMOTE_MODES = ["always", "if-better"] as const satisfies readonly PromoteMode[];
export type Decision = "promoted" | "kept" | "manual";
export type WindowMetric = "mase" | "mae";

export interface HeldOut {
  timestamps: number[];
  actual: number[];
  /** The challenger's backtest forecast of those dates. */
  model: number[];
}

export interface Replay {
  timestamps: number[];
  forecast: number[];
}

export interface EvaluationWindow {
  timestamps: number[];
  actual: number[];
  challenger: number[];
  champion: number[];
}

/**
 * The dates both models are scored on: the challenger's held-out dates after `seenUntil` (the
 * champion's origin) with a finite actual and finite forecasts of both.
 */
export function evaluationWindow(held: HeldOut, replay: Replay, seenUntil: number | null): EvaluationWindow {
  const championAt = new Map<number, number>();
  replay.timestamps.forEach((ts, i) => championAt.set(ts, replay.forecast[i]));
  const w: EvaluationWindow = { timestamps: [], actual: [], challenger: [], champion: [] };
  held.timestamps.forEach((ts, i) => {
    if (seenUntil !== null && ts <= seenUntil) return;
    const actual = held.actual[i];
    const challenger = held.model[i];
    const champion = championAt.get(ts);
    if (!Number.isFinite(actual) || !Number.isFinite(challenger) || champion === undefined || !Number.isFinite(champion)) return;
    w.timestamps.push(ts);
    w.actual.push(actual);
    w.challenger.push(challenger);
    w.champion.push(champion);
  });
  return w;
}

export interface WindowScores {
  metric: WindowMetric;
  challenger: number;
  champion: number;
  points: number;
  from: number;
  to: number;
}

function mae(actual: number[], forecast: number[]): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - forecast[i]);
  return s / actual.length;
}

/**
 * Both models' error on the window: MASE with the run's scaling (in-sample seasonal-naive MAE of
 * the history before the window), or MAE when that scale is undefined (the same ranking either
 * way, since both share the window and its scale). Null for an empty window.
 */
export function scoreWindow(w: EvaluationWindow, scale: number | null): WindowScores | null {
  const n = w.timestamps.length;
  if (n === 0) return null;
  const useMase = scale !== null && scale > 0;
  const k = useMase ? 1 / scale : 1;
  return {
    metric: useMase ? "mase" : "mae",
    challenger: mae(w.actual, w.challenger) * k,
    champion: mae(w.actual, w.champion) * k,
    points: n,
    from: w.timestamps[0],
    to: w.timestamps[n - 1],
  };
}

export interface DecisionInput {
  mode: PromoteMode;
  /** Why the mode: a run requested by hand promotes always; a schedule says which. */
  requestedByHand: boolean;
  challengerRunId: number;
  /** The current model, null when the series has no current forecast. */
  champion: { runId: number | null; invalid: string | null } | null;
  scores: WindowScores | null;
  /** Why there are no scores (no fair window, no backtest), when `scores` is null. */
  noScores: string | null;
}

export interface DecisionResult {
  decision: Exclude<Decision, "manual">;
  reason: string;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
const runName = (id: number | null) => (id === null ? "the current forecast" : `run #${id}`);

export function describeScores(s: WindowScores, challengerRunId: number, championRunId: number | null): string {
  const points = s.points === 1 ? "the newest held-out point" : `the ${s.points} newest held-out points`;
  return `run #${challengerRunId} ${s.metric.toUpperCase()} ${fmt(s.challenger)} vs ${runName(championRunId)} ${fmt(s.champion)} on ${points}`;
}

export function decide(input: DecisionInput): DecisionResult {
  const { champion, scores } = input;
  if (champion === null) return { decision: "promoted", reason: "There was no current forecast." };
  if (champion.invalid !== null) return { decision: "promoted", reason: `The current model (${runName(champion.runId)}) is invalid: ${champion.invalid}.` };
  const compared = scores ? describeScores(scores, input.challengerRunId, champion.runId) : null;
  if (input.mode === "always") {
    const why = input.requestedByHand ? "a run requested by hand becomes current" : 'its schedule says promote: "always"';
    return { decision: "promoted", reason: `Promoted without a contest (${why})${compared ? `; ${compared}` : ""}.` };
  }
  if (!scores) return { decision: "kept", reason: `Kept as a candidate: ${input.noScores ?? "the two models could not be compared"}.` };
  if (scores.challenger < scores.champion) return { decision: "promoted", reason: `Beat the current model: ${compared}.` };
  return { decision: "kept", reason: `Did not beat the current model: ${compared}.` };
}

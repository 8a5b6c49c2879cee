import { accuracyOf, type Accuracy } from "./metrics";
import { comparePromises, promiseSentence, type PromiseComparison } from "./promise";
import { evaluateRules, type AlertRules, type Findings } from "./rules";
import { pairsOf, servedSequence, type SequencePair, type StoredForecast } from "./sequence";

/**
 * A series' realised accuracy, all of it from its stored forecasts and actual values: each
 * forecast's own score, the rolling score of the last N dates (of the freshest served forecast
 * for each date), the current model's score since it was promoted, realised against promised in
 * plain words, and what the alert rules find. lib/scoring stores the result.
 */
export interface ScoredForecast extends StoredForecast {
  horizon: number;
  /** The run's holdout MASE: what it promised. */
  promisedMase: number | null;
}

export interface CurrentForecast {
  forecastId: number;
  runId: number | null;
  /** ISO time it became current (its promotion, or its creation for older forecasts). */
  promotedAt: string;
  promised: { mase: number | null; smape: number | null; coverage80: number | null; coverage95: number | null };
}

export type SeriesStatus = "healthy" | "drifting" | "unscored";

/** The `rolling` object of GET /api/series/{id}/accuracy. */
export interface RollingAccuracy {
  /** N: the window of `last`. */
  window: number;
  /** The last N dates with actuals, each scored with the freshest served forecast before it. */
  last: Accuracy & { from: number | null; to: number | null };
  /** The current forecast (the current model's) against the actuals that arrived for it. */
  sincePromotion: (Accuracy & { forecastId: number; runId: number | null; promotedAt: string }) | null;
  /** The current model's holdout accuracy. */
  promised: ({ runId: number | null } & CurrentForecast["promised"]) | null;
  realisedVsPromised: PromiseComparison | null;
  /** Realised against promised in plain words. */
  summary: string;
  /** Newest actuals outside the 95% band in a row. */
  outsideStreak: number;
  /**
   * While the window's 95% coverage is below the rule's minimum: the newest date scored when it
   * first fell below (one coverage alert per such episode); null while it is not.
   */
  coverageLowSince: number | null;
  status: SeriesStatus;
}

export interface RollingResult {
  rolling: RollingAccuracy;
  findings: Findings;
  /** Each forecast's own accuracy, by forecast id. */
  perForecast: Map<number, Accuracy>;
}

export function rollingAccuracy(
  forecasts: readonly ScoredForecast[],
  actualAt: (ts: number) => number,
  current: CurrentForecast | null,
  rules: AlertRules,
  /** The rolling state stored last time (carries a low-coverage episode on). */
  previous: Pick<RollingAccuracy, "coverageLowSince"> | null = null,
): RollingResult {
  const perForecast = new Map<number, Accuracy>();
  const pairs = new Map<number, SequencePair[]>();
  for (const f of forecasts) {
    const own = pairsOf(f, actualAt);
    pairs.set(f.forecastId, own);
    perForecast.set(f.forecastId, accuracyOf(own));
  }
  const sequence = servedSequence(forecasts, actualAt, pairs);
  const window = Math.max(1, rules.window);
  const recent = sequence.slice(-window);
  const last = { ...accuracyOf(recent), from: recent.length ? recent[0].ts : null, to: recent.length ? recent[recent.length - 1].ts : null };

  const currentForecast = current ? forecasts.find((f) => f.forecastId === current.forecastId) : undefined;
  const since = current && currentForecast ? { ...perForecast.get(current.forecastId)!, forecastId: current.forecastId, runId: current.runId, promotedAt: current.promotedAt } : null;
  const findings = evaluateRules(
    sequence,
    last,
    current && currentForecast && since
      ? { runId: current.runId, forecastId: current.forecastId, horizon: currentForecast.horizon, accuracy: since, promisedMase: current.promised.mase }
      : null,
    rules,
  );

  // Realised against promised: the newest served forecasts with actuals, newest origin first.
  const newestFirst = forecasts
    .filter((f) => f.served)
    .slice()
    .sort((a, b) => (b.origin ?? -Infinity) - (a.origin ?? -Infinity) || b.forecastId - a.forecastId)
    .map((f) => ({ forecastId: f.forecastId, points: perForecast.get(f.forecastId)!.points, realisedMase: perForecast.get(f.forecastId)!.mase, promisedMase: f.promisedMase }));
  const realisedVsPromised = comparePromises(newestFirst, 3);

  const status: SeriesStatus = sequence.length === 0 ? "unscored" : findings.drifting ? "drifting" : "healthy";
  return {
    rolling: {
      window,
      last,
      sincePromotion: since,
      promised: current ? { runId: current.runId, ...current.promised } : null,
      realisedVsPromised,
      summary: promiseSentence(realisedVsPromised),
      outsideStreak: findings.outsideStreak,
      coverageLowSince: findings.coverage ? (previous?.coverageLowSince ?? last.to) : null,
      status,
    },
    findings,
    perForecast,
  };
}

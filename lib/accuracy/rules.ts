import type { Accuracy } from "./metrics";
import { bandBreaks, trailingBreaks, type BandBreak, type SequencePair } from "./sequence";

/**
 * The alert rules of a series and what they find. Pure: the alerts module stores the rules and
 * turns each finding into an event stored once.
 */
export interface AlertRules {
  /** N of "the last N scored dates": the rolling window of accuracy and coverage. */
  window: number;
  /** Actuals outside the 95% band this many times in a row: a "drift" alert. */
  bandBreaks: number;
  /** Realised MASE of the current model over its promised (holdout) MASE by more than this factor: an "accuracy" alert. */
  maseFactor: number;
  /** 95% interval coverage over the window below this: a "coverage" alert. */
  minCoverage95: number;
  /** Fewest scored dates before the accuracy and coverage rules judge (the accuracy rule asks for at most the forecast's horizon). */
  minPoints: number;
  /** A run that failed for good: a "run.failed" alert. */
  runFailed: boolean;
  /** A scheduled retrain that did not run on time: a "schedule.missed" alert. */
  scheduleMissed: boolean;
}

export const DEFAULT_RULES: AlertRules = {
  window: 24,
  bandBreaks: 3,
  maseFactor: 1.5,
  minCoverage95: 0.75,
  minPoints: 8,
  runFailed: true,
  scheduleMissed: true,
};

/** The current model's track record against its promise. */
export interface CurrentModel {
  runId: number | null;
  forecastId: number;
  horizon: number;
  accuracy: Accuracy;
  promisedMase: number | null;
}

export interface Findings {
  /** Every stretch of at least `bandBreaks` band breaks (each alerts once). */
  breaks: BandBreak[];
  /** Newest dates outside the 95% band in a row. */
  outsideStreak: number;
  accuracy: { runId: number | null; forecastId: number; realised: number; promised: number; ratio: number; points: number } | null;
  coverage: { coverage95: number; points: number } | null;
  /** A rule holds at the newest data: the series is drifting. */
  drifting: boolean;
}

export function evaluateRules(sequence: readonly SequencePair[], window: Accuracy, current: CurrentModel | null, rules: AlertRules): Findings {
  const k = Math.max(1, rules.bandBreaks);
  const breaks = bandBreaks(sequence).filter((b) => b.length >= k);
  const outsideStreak = trailingBreaks(sequence);
  let accuracy: Findings["accuracy"] = null;
  if (current && current.promisedMase !== null && current.promisedMase > 0 && current.accuracy.mase !== null) {
    const needed = Math.max(1, Math.min(rules.minPoints, current.horizon));
    const ratio = current.accuracy.mase / current.promisedMase;
    if (current.accuracy.points >= needed && ratio > rules.maseFactor) {
      accuracy = { runId: current.runId, forecastId: current.forecastId, realised: current.accuracy.mase, promised: current.promisedMase, ratio, points: current.accuracy.points };
    }
  }
  const coverage =
    window.coverage95 !== null && window.points >= Math.max(1, rules.minPoints) && window.coverage95 < rules.minCoverage95
      ? { coverage95: window.coverage95, points: window.points }
      : null;
  return { breaks, outsideStreak, accuracy, coverage, drifting: outsideStreak >= k || accuracy !== null || coverage !== null };
}

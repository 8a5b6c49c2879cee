/**
 * Realised against promised, in plain words: a run's holdout accuracy is what its forecast
 * promised; the actual values that arrived later say what it delivered. The comparison is on
 * MASE (scale-free, so forecasts of different origins average fairly); a percentage compares
 * errors: "40% less accurate" means a realised error 1.4 times the promised one ("3.2 times as far
 * off" past twice).
 */
export interface ForecastPromise {
  forecastId: number;
  /** How many of its dates have actual values. */
  points: number;
  realisedMase: number | null;
  promisedMase: number | null;
}

export interface PromiseComparison {
  /** How many forecasts the comparison covers (the newest with actuals, at most `count`). */
  forecasts: number;
  realisedMase: number;
  promisedMase: number;
  /** realised / promised: above 1, less accurate than promised. */
  ratio: number;
}

/** The newest `count` forecasts with actuals and both MASEs (newest first in `records`), averaged. */
export function comparePromises(records: readonly ForecastPromise[], count = 3): PromiseComparison | null {
  const usable = records.filter((r) => r.points > 0 && r.realisedMase !== null && r.promisedMase !== null && r.promisedMase > 0).slice(0, count);
  if (usable.length === 0) return null;
  const realised = usable.reduce((s, r) => s + r.realisedMase!, 0) / usable.length;
  const promised = usable.reduce((s, r) => s + r.promisedMase!, 0) / usable.length;
  return { forecasts: usable.length, realisedMase: realised, promisedMase: promised, ratio: realised / promised };
}

const two = (v: number) => v.toFixed(2);

/** Within this share of the promise, a forecast kept it. */
const KEPT = 0.1;

export function promiseSentence(c: PromiseComparison | null): string {
  if (c === null) return "No forecast has actual values to compare with its backtest yet.";
  const subject = c.forecasts === 1 ? "The last forecast was" : `The last ${c.forecasts} forecasts were`;
  const their = c.forecasts === 1 ? "its" : "their";
  const figures = `(realised MASE ${two(c.realisedMase)}, promised ${two(c.promisedMase)})`;
  if (c.ratio >= 2) return `${subject} ${c.ratio.toFixed(1)} times as far off as ${their} backtest promised ${figures}.`;
  if (c.ratio > 1 + KEPT) return `${subject} ${Math.round((c.ratio - 1) * 100)}% less accurate than ${their} backtest promised ${figures}.`;
  if (c.ratio < 1 - KEPT) return `${subject} ${Math.round((1 - c.ratio) * 100)}% more accurate than ${their} backtest promised ${figures}.`;
  return `${subject} about as accurate as ${their} backtest promised ${figures}.`;
}

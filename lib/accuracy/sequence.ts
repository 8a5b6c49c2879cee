import type { ExportPoint } from "../export/forecast";
import { inside, type ScoredPair } from "./metrics";

/**
 * Which forecast speaks for a date. A series accumulates forecasts, one per run, from different
 * origins, and several may cover the same date; rolling accuracy and the band rule follow the
 * forecasts that were actually served (made the series' current forecast at some point, not
 * candidates kept aside), and for each date the freshest of them: the one with the latest origin
 * before that date, what a user looking at the series just before it would have seen.
 */
/** One date of a stored forecast: its value and bands. */
export type ForecastDate = Omit<ExportPoint, "step">;

export interface StoredForecast {
  forecastId: number;
  runId: number | null;
  /** The last observed date before the forecast's first date (ms), null when unknown. */
  origin: number | null;
  served: boolean;
  /** The MASE denominator of the history up to the origin. */
  scale: number | null;
  points: ForecastDate[];
}

export interface SequencePair extends ScoredPair {
  forecastId: number;
}

/** The forecast/actual pairs of one forecast, dates without an actual left out. */
export function pairsOf(f: StoredForecast, actualAt: (ts: number) => number): SequencePair[] {
  const out: SequencePair[] = [];
  for (const p of f.points) {
    const actual = actualAt(p.ts);
    // One object shape for every pair (a spread would not be): hundreds of forecasts are scored at once.
    if (Number.isFinite(actual)) out.push({ ts: p.ts, actual, value: p.value, lo80: p.lo80, hi80: p.hi80, lo95: p.lo95, hi95: p.hi95, scale: f.scale, forecastId: f.forecastId });
  }
  return out;
}

/**
 * For each date with an actual, the pair of the freshest served forecast covering it; in date
 * order. `pairs` may hold each forecast's pairs already (pairsOf), so they are not made twice.
 */
export function servedSequence(forecasts: readonly StoredForecast[], actualAt: (ts: number) => number, pairs?: ReadonlyMap<number, SequencePair[]>): SequencePair[] {
  const best = new Map<number, { pair: SequencePair; origin: number }>();
  for (const f of forecasts) {
    if (!f.served) continue;
    const origin = f.origin ?? Number.NEGATIVE_INFINITY;
    for (const pair of pairs?.get(f.forecastId) ?? pairsOf(f, actualAt)) {
      if (pair.ts <= origin) continue;
      const held = best.get(pair.ts);
      if (!held || origin > held.origin || (origin === held.origin && f.forecastId > held.pair.forecastId)) best.set(pair.ts, { pair, origin });
    }
  }
  return [...best.values()].map((b) => b.pair).sort((a, b) => a.ts - b.ts);
}

/** A stretch of consecutive dates whose actual fell outside the 95% band. */
export interface BandBreak {
  from: number;
  to: number;
  length: number;
  forecastIds: number[];
}

/** Every maximal stretch of 95% band breaks in the sequence (a date without a band ends a stretch). */
export function bandBreaks(sequence: readonly SequencePair[]): BandBreak[] {
  const out: BandBreak[] = [];
  let open: BandBreak | null = null;
  for (const p of sequence) {
    if (inside(p.actual, p.lo95, p.hi95) === false) {
      if (!open) {
        open = { from: p.ts, to: p.ts, length: 0, forecastIds: [] };
        out.push(open);
      }
      open.to = p.ts;
      open.length++;
      if (!open.forecastIds.includes(p.forecastId)) open.forecastIds.push(p.forecastId);
    } else {
      open = null;
    }
  }
  return out;
}

/** How many of the newest dates in a row fell outside the 95% band. */
export function trailingBreaks(sequence: readonly SequencePair[]): number {
  let n = 0;
  for (let i = sequence.length - 1; i >= 0; i--) {
    const p = sequence[i];
    if (inside(p.actual, p.lo95, p.hi95) !== false) break;
    n++;
  }
  return n;
}

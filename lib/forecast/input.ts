/**
 * What a forecast starts from: the caller's series (and covariates) as given, and the clean series
 * the procedure works on (leading and trailing gaps trimmed, inner gaps filled by the stated
 * method and remembered, covariates aligned to the series' timestamps).
 */
import { SEASON_LENGTH, type Frequency } from "../series/frequency";
import { ForecastError } from "./errors";
import { calendarOf, calendarPhase, fillGaps, MONTH_FREQUENCIES, type Calendar, type PrepSpec } from "./prep";

/** Another series used as an input of the target's windows (see `SeriesInput.covariates`). */
export interface CovariateInput {
  name: string;
  timestamps: Float64Array;
  /** NaN = missing. */
  values: Float64Array;
}

export interface SeriesInput {
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
  frequency: Frequency;
  stepMs: number | null;
  /**
   * Optional covariates (single-series models only). Each is aligned to the target's timestamps by
   * timestamp (a target timestamp the covariate lacks is a gap, filled by the series' gap method),
   * prepared with a scaler fitted on the training part only, and fed as extra inputs of the windows.
   * Their future values are unknown, so they are used only as lagged inputs: a window ending at step
   * t reads covariate values at t and before, and values after the target's last timestamp are never
   * read. Members with the recursive strategy cannot use them (they would need the covariates' future).
   */
  covariates?: CovariateInput[];
}

/** A covariate aligned to its target's (trimmed) timestamps: NaN where it has no value. */
export interface AlignedCovariate {
  name: string;
  raw: Float64Array;
  /** Share of the target's timestamps at which the covariate has a value. */
  coverage: number;
}

/** A series ready for the procedure: gaps filled by the stated method, gaps remembered. */
export interface CleanSeries {
  name: string;
  y: Float64Array;
  missing: Uint8Array;
  phase: number;
  frequency: Frequency;
  /** Every value above zero: log transforms and errors in proportion to the level are possible. */
  positive: boolean;
  /** No value below zero (counts, sales with zero months): forecasts and bands stop at zero. */
  nonNegative: boolean;
  /** Timestamps of y (leading and trailing missing values trimmed). */
  timestamps: Float64Array;
  stepMs: number | null;
  covariates: AlignedCovariate[];
}

/**
 * The value of a constant series: every one of its (at least two) values equal, or null. Such a
 * history has no variation for the networks to learn from (their output on it is noise around it)
 * and no scale to measure errors in (its seasonal-naive MAE is zero).
 */
export function constantValue(y: ArrayLike<number>): number | null {
  if (y.length < 2 || !Number.isFinite(y[0])) return null;
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) return null;
  return y[0];
}

/** Aligns a covariate to target timestamps by exact timestamp match. */
export function alignCovariate(c: CovariateInput, timestamps: ArrayLike<number>): AlignedCovariate {
  if (c.values.length !== c.timestamps.length) {
    throw new ForecastError("bad-input", `Covariate "${c.name}": ${c.values.length} values but ${c.timestamps.length} timestamps.`);
  }
  const byTime = new Map<number, number>();
  for (let i = 0; i < c.timestamps.length; i++) if (Number.isFinite(c.values[i])) byTime.set(c.timestamps[i], c.values[i]);
  const raw = new Float64Array(timestamps.length);
  let found = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const v = byTime.get(timestamps[i]);
    raw[i] = v ?? NaN;
    if (v !== undefined) found++;
  }
  return { name: c.name, raw, coverage: timestamps.length ? found / timestamps.length : 0 };
}

export function cleanSeries(s: SeriesInput, gapFill: PrepSpec["gapFill"]): CleanSeries {
  const n = s.values.length;
  if (n !== s.timestamps.length) throw new ForecastError("bad-input", `Series "${s.name}": ${n} values but ${s.timestamps.length} timestamps.`);
  // Trailing and leading missing values carry no information: trim them.
  let first = 0;
  while (first < n && !Number.isFinite(s.values[first])) first++;
  let last = n - 1;
  while (last >= first && !Number.isFinite(s.values[last])) last--;
  if (last < first) throw new ForecastError("no-data", `Series "${s.name}" has no values.`);
  const raw = s.values.subarray(first, last + 1);
  const missing = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) missing[i] = 1;
  const y = fillGaps(raw, gapFill);
  let positive = true, nonNegative = true;
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] > 0)) positive = false;
    if (!(y[i] >= 0)) nonNegative = false;
  }
  const season = SEASON_LENGTH[s.frequency];
  const timestamps = s.timestamps.slice(first, last + 1);
  return {
    name: s.name,
    y,
    missing,
    phase: calendarPhase(s.timestamps[first], s.frequency, season),
    frequency: s.frequency,
    positive,
    nonNegative,
    timestamps,
    stepMs: s.stepMs,
    covariates: (s.covariates ?? []).map((c) => alignCovariate(c, timestamps)),
  };
}

/** Covariates with values at fewer than this share of the target's timestamps are left out. */
export const MIN_COVARIATE_COVERAGE = 0.5;

/** The covariates a fit can use, and those left out (with the reason, for the user). */
export function usableCovariates(s: CleanSeries): { kept: AlignedCovariate[]; dropped: string[] } {
  const kept: AlignedCovariate[] = [];
  const dropped: string[] = [];
  for (const c of s.covariates) {
    if (c.coverage >= MIN_COVARIATE_COVERAGE) kept.push(c);
    else dropped.push(`"${c.name}" (values at ${Math.round(100 * c.coverage)}% of the series' dates)`);
  }
  return { kept, dropped };
}

/**
 * How a covariate is prepared for the variant `spec`: log when the target is logged and the
 * covariate's training part is positive, then standardised; window normalisation as the target's.
 */
export function covariatePrepSpec(spec: PrepSpec): PrepSpec {
  return { deseasonalize: false, log: spec.log, scaler: "standard", difference: false, windowNorm: spec.windowNorm, gapFill: spec.gapFill };
}

/**
 * A covariate's values on [0, end), gaps filled from those values only (nothing at or after `end`
 * is read). A covariate with no value at all there is a constant, uninformative input.
 */
export function filledCovariate(raw: Float64Array, end: number, gapFill: PrepSpec["gapFill"]): Float64Array {
  const part = raw.subarray(0, end);
  for (let i = 0; i < part.length; i++) if (Number.isFinite(part[i])) return fillGaps(part, gapFill === "previous" ? "previous" : "linear");
  return new Float64Array(part.length);
}

/** The calendar a prepared series needs (month/weekday features), or undefined when the frequency has none. */
export function seriesCalendar(s: Pick<CleanSeries, "timestamps" | "frequency" | "stepMs">, length: number): Calendar | undefined {
  if (!MONTH_FREQUENCIES.includes(s.frequency) || s.timestamps.length === 0) return undefined;
  return calendarOf(s.timestamps, s.frequency, s.stepMs, length);
}

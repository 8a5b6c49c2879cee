/**
 * Preparation with no leakage. Every statistic (seasonal indices, scaler parameters) is fitted on
 * the training part only, `fitPrep(values.subarray(0, trainEnd))`, then applied to the whole
 * series. The chain, applied in this order and undone in reverse:
 *
 *   raw y --(fill gaps)--> y --(/ seasonal index)--> --(log, positive series)--> --(scaler)--> z
 *   z --(optional differencing)--> d ; each window then subtracts its own reference (last value or
 *   mean of its inputs: the per-window normalisation of the M4 winners) from inputs and targets.
 */
import type { Frequency } from "../series/frequency";
import { addSteps } from "../series/grid";
import { ForecastError } from "./errors";
import { deseasonalize, mean, quantile } from "./stats";

export const SCALERS = ["none", "standard", "minmax", "robust"] as const;
export type ScalerKind = (typeof SCALERS)[number];
/**
 * Per-window reference subtracted from a window's inputs and targets: none, its last value, the
 * mean of its inputs, or the median of its last three values ("recent": the level of the last
 * point without its noise, so a single outlier at the end of a series does not move the whole
 * forecast).
 */
export type WindowNorm = "none" | "last" | "mean" | "recent";
export type GapFill = "linear" | "previous" | "drop";

/** Affine scaler z = (v - shift) / scale. */
export interface Scaler {
  kind: ScalerKind;
  shift: number;
  scale: number;
}

export function fitScaler(kind: ScalerKind, train: ArrayLike<number>): Scaler {
  const v = Array.from(train).filter(Number.isFinite);
  if (v.length === 0) throw new ForecastError("no-data", "The training part has no values to fit a scaler on.");
  let shift = 0;
  let scale = 1;
  if (kind === "standard") {
    shift = mean(v);
    let s = 0;
    for (const x of v) s += (x - shift) * (x - shift);
    scale = Math.sqrt(s / v.length);
  } else if (kind === "minmax") {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    shift = lo;
    scale = hi - lo;
  } else if (kind === "robust") {
    shift = quantile(v, 0.5);
    scale = quantile(v, 0.75) - quantile(v, 0.25);
  }
  if (!(scale > 1e-12) || !Number.isFinite(scale)) scale = 1;
  return { kind, shift, scale };
}

export const scalerForward = (s: Scaler, v: number): number => (v - s.shift) / s.scale;
export const scalerInverse = (s: Scaler, z: number): number => z * s.scale + s.shift;

export interface PrepSpec {
  /** Divide by classical multiplicative seasonal indices (positive series that pass the 90% test). */
  deseasonalize: boolean;
  /** Log transform (used only when the training part is strictly positive). */
  log: boolean;
  scaler: ScalerKind;
  difference: boolean;
  windowNorm: WindowNorm;
  gapFill: GapFill;
}

/** A fitted preparation: everything needed to transform and invert, stored in the model file. */
export interface FittedPrep {
  spec: PrepSpec;
  season: number;
  /** Seasonal indices by (t mod season) from the series start; empty when not applied. */
  seasonalIndices: number[];
  log: boolean;
  scaler: Scaler;
}

/** Fills missing values (NaN). `previous` carries the last value; `linear` and `drop` interpolate. */
export function fillGaps(values: ArrayLike<number>, method: GapFill): Float64Array {
  const n = values.length;
  const out = Float64Array.from(values);
  let first = -1;
  for (let i = 0; i < n; i++)
    if (Number.isFinite(out[i])) {
      first = i;
      break;
    }
  if (first < 0) throw new ForecastError("no-data", "The series has no values.");
  for (let i = 0; i < first; i++) out[i] = out[first];
  let prev = first;
  for (let i = first + 1; i < n; i++) {
    if (Number.isFinite(out[i])) {
      if (i - prev > 1) {
        for (let j = prev + 1; j < i; j++)
          out[j] = method === "previous" ? out[prev] : out[prev] + ((out[i] - out[prev]) * (j - prev)) / (i - prev);
      }
      prev = i;
    }
  }
  for (let i = prev + 1; i < n; i++) out[i] = out[prev];
  return out;
}

/** Fits the preparation on the training values only (already gap-filled). */
export function fitPrep(spec: PrepSpec, train: ArrayLike<number>, season: number): FittedPrep {
  let positive = train.length > 0;
  for (let i = 0; i < train.length; i++) if (!(train[i] > 0)) positive = false;
  let seasonalIndices: number[] = [];
  let work: Float64Array = Float64Array.from(train);
  if (spec.deseasonalize && season > 1) {
    const d = deseasonalize(train, season);
    if (d.seasonal) {
      seasonalIndices = d.indices;
      work = d.adjusted;
    }
  }
  const log = spec.log && positive;
  if (log) work = work.map(Math.log);
  // A log-space spec relies on the log for scale; a series that cannot be logged is standardised instead.
  const kind: ScalerKind = spec.log && !log && spec.scaler === "none" ? "standard" : spec.scaler;
  return { spec, season, seasonalIndices, log, scaler: fitScaler(kind, work) };
}

function seasonalIndex(p: FittedPrep, t: number): number {
  return p.seasonalIndices.length ? p.seasonalIndices[t % p.seasonalIndices.length] : 1;
}

/** y (gap-filled, t counted from the series start) -> z, before differencing and window normalisation. */
export function forwardValue(p: FittedPrep, y: number, t: number): number {
  let v = y / seasonalIndex(p, t);
  if (p.log) v = Math.log(Math.max(v, 1e-12));
  return scalerForward(p.scaler, v);
}

export function inverseValue(p: FittedPrep, z: number, t: number): number {
  let v = scalerInverse(p.scaler, z);
  if (p.log) v = Math.exp(Math.min(v, 700));
  return v * seasonalIndex(p, t);
}

export function transformSeries(p: FittedPrep, y: ArrayLike<number>): Float64Array {
  const z = new Float64Array(y.length);
  for (let t = 0; t < y.length; t++) z[t] = forwardValue(p, y[t], t);
  return z;
}

/**
 * What a window feeds the network at each step besides the value: the "position index" features
 * of the lecture notes and, optionally, covariates. Per input step the features are laid out as
 *
 *   [value, season sin, season cos, month sin, month cos, weekday sin, weekday cos, step, cov_1 .. cov_K]
 *
 * keeping only the enabled ones, in this order. Seq2seq decoders get the position features of the
 * future steps: [step / horizon, season sin, season cos, month sin, month cos, weekday sin, weekday cos].
 */
export interface FeatureSpec {
  /** sin/cos of the step's place in its season (calendar-aligned at the series start: month of year, day of week, ...). */
  season: boolean;
  /** The step index within the window, 0..1. */
  step: boolean;
  /** sin/cos of the month of year (UTC, 0 = January) of each step's timestamp; monthly and finer series only. */
  month?: boolean;
  /** sin/cos of the day of week (UTC, 0 = Sunday, period 7) of each step's timestamp; daily, business, hourly and minute series only. */
  weekday?: boolean;
  /**
   * Number of covariate series fed as extra inputs. Their future values are unknown, so they are
   * only lagged inputs: a window reads covariate values up to its last input step, never after.
   */
  covariates?: number;
}

/** Frequencies whose steps are a month or shorter: month-of-year features apply. */
export const MONTH_FREQUENCIES: readonly string[] = ["monthly", "weekly", "daily", "business", "hourly", "minute"];
/** Frequencies whose steps are a day or shorter: day-of-week features apply. */
export const WEEKDAY_FREQUENCIES: readonly string[] = ["daily", "business", "hourly", "minute"];

/** The position features a caller asks for, kept only where they make sense for the frequency. */
export function resolveFeatures(
  frequency: string,
  season: number,
  requested: Partial<Pick<FeatureSpec, "season" | "step" | "month" | "weekday">> = {},
): FeatureSpec {
  return {
    season: (requested.season ?? true) && season > 1,
    step: requested.step ?? true,
    month: (requested.month ?? false) && MONTH_FREQUENCIES.includes(frequency),
    weekday: (requested.weekday ?? false) && WEEKDAY_FREQUENCIES.includes(frequency),
  };
}

const positionSize = (f: FeatureSpec, season: number) =>
  (f.season && season > 1 ? 2 : 0) + (f.month ? 2 : 0) + (f.weekday ? 2 : 0);

export function inputSize(f: FeatureSpec, season: number): number {
  return 1 + positionSize(f, season) + (f.step ? 1 : 0) + (f.covariates ?? 0);
}

export function futureSize(f: FeatureSpec, season: number): number {
  return 1 + positionSize(f, season);
}

/** Month of year (0-11) and day of week (0 = Sunday) of each index of a series, in UTC. */
export interface Calendar {
  month: Uint8Array;
  weekday: Uint8Array;
}

/**
 * The calendar of indices [0, length): index i < timestamps.length is read from the timestamp,
 * later indices are stepped from the last one by the series' frequency (future steps).
 */
export function calendarOf(timestamps: ArrayLike<number>, frequency: Frequency, stepMs: number | null, length: number): Calendar {
  const month = new Uint8Array(length);
  const weekday = new Uint8Array(length);
  const n = timestamps.length;
  for (let i = 0; i < length; i++) {
    const ms = i < n ? timestamps[i] : addSteps(timestamps[n - 1], frequency, stepMs, i - n + 1);
    const d = new Date(ms);
    month[i] = d.getUTCMonth();
    weekday[i] = d.getUTCDay();
  }
  return { month, weekday };
}

/**
 * A prepared series: transformed values z, the calendar phase of its first point, and which
 * points were originally missing (windows touching them are dropped when gapFill is "drop").
 */
export interface PreparedSeries {
  z: Float64Array;
  phase: number;
  missing: Uint8Array;
  /** Needed by month/weekday features: covers every index a window may touch, future steps included. */
  calendar?: Calendar;
  /** Covariates after their own preparation (fitted on the training part), aligned with z. */
  cov?: Float64Array[];
}

/**
 * Windows over one or more prepared series, flattened for the network:
 * x [count, lookback, inputSize], y [count, outputs], future [count, outputs, futureSize] (seq2seq),
 * ref [count] the window reference subtracted (for inversion), and for each window its series
 * and origin (index of its last input point).
 */
export interface WindowSet {
  count: number;
  lookback: number;
  inputSize: number;
  outputs: number;
  futureSize: number;
  x: Float32Array;
  y: Float32Array;
  future: Float32Array | null;
  ref: Float64Array;
  seriesIndex: Int32Array;
  origin: Int32Array;
}

export interface WindowSpec {
  lookback: number;
  /** How many target steps per window (1 for recursive, H for direct and seq2seq). */
  outputs: number;
  features: FeatureSpec;
  season: number;
  windowNorm: WindowNorm;
  difference: boolean;
  seq2seq: boolean;
  /** Horizon used to scale the future step feature. */
  horizon: number;
}

/** The model-space sequence: z, or its first differences (d[0] = 0) when differencing. */
export function modelSpace(z: Float64Array, difference: boolean): Float64Array {
  if (!difference) return z;
  const d = new Float64Array(z.length);
  for (let t = 1; t < z.length; t++) d[t] = z[t] - z[t - 1];
  return d;
}

export function windowReference(s: Float64Array, origin: number, lookback: number, norm: WindowNorm): number {
  if (norm === "last") return s[origin];
  if (norm === "recent") {
    if (lookback < 3) return s[origin];
    const a = s[origin];
    const b = s[origin - 1];
    const c = s[origin - 2];
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  if (norm === "mean") {
    let acc = 0;
    for (let j = origin - lookback + 1; j <= origin; j++) acc += s[j];
    return acc / lookback;
  }
  return 0;
}

/**
 * Builds the windows whose origin is in [minOrigin, maxOrigin] for each series (origin = index
 * of the last input). Targets beyond the end of a series are not allowed: callers choose
 * maxOrigin so that origin + outputs < length, or pass `withTargets = false` for inference.
 */
export function buildWindows(
  series: PreparedSeries[],
  spec: WindowSpec,
  origins: { seriesIndex: number; origin: number }[],
  withTargets: boolean,
): WindowSet {
  const F = inputSize(spec.features, spec.season);
  const FF = futureSize(spec.features, spec.season);
  const L = spec.lookback;
  const O = spec.outputs;
  const K = spec.features.covariates ?? 0;
  const count = origins.length;
  const x = new Float32Array(count * L * F);
  const y = new Float32Array(withTargets ? count * O : 0);
  const future = spec.seq2seq ? new Float32Array(count * O * FF) : null;
  const ref = new Float64Array(count);
  const seriesIndex = new Int32Array(count);
  const origin = new Int32Array(count);
  const useSeason = spec.features.season && spec.season > 1;
  const useMonth = spec.features.month === true;
  const useWeekday = spec.features.weekday === true;
  const w = (2 * Math.PI) / spec.season;
  const wMonth = (2 * Math.PI) / 12;
  const wWeekday = (2 * Math.PI) / 7;
  const spaces = new Map<number, Float64Array>();
  const covRef = new Float64Array(K);
  // Writes the calendar features of index tt at x[o], x[o + 1], ...; returns the next free offset.
  const calendarAt = (out: Float32Array, o: number, cal: Calendar | undefined, tt: number): number => {
    if (!useMonth && !useWeekday) return o;
    if (!cal || tt >= cal.month.length) throw new ForecastError("internal", `Month/weekday features need the calendar of step ${tt}.`);
    if (useMonth) {
      out[o++] = Math.sin(wMonth * cal.month[tt]);
      out[o++] = Math.cos(wMonth * cal.month[tt]);
    }
    if (useWeekday) {
      out[o++] = Math.sin(wWeekday * cal.weekday[tt]);
      out[o++] = Math.cos(wWeekday * cal.weekday[tt]);
    }
    return o;
  };
  for (let i = 0; i < count; i++) {
    const { seriesIndex: si, origin: t } = origins[i];
    const ps = series[si];
    let s = spaces.get(si);
    if (!s) {
      s = modelSpace(ps.z, spec.difference);
      spaces.set(si, s);
    }
    if (K > 0 && (!ps.cov || ps.cov.length < K)) throw new ForecastError("internal", `The windows need ${K} covariates; the series has ${ps.cov?.length ?? 0}.`);
    const r = windowReference(s, t, L, spec.windowNorm);
    ref[i] = r;
    seriesIndex[i] = si;
    origin[i] = t;
    // Each covariate is normalised like the value: minus its own reference in the window.
    for (let c = 0; c < K; c++) covRef[c] = windowReference(ps.cov![c], t, L, spec.windowNorm);
    for (let j = 0; j < L; j++) {
      const tt = t - L + 1 + j;
      let o = (i * L + j) * F;
      x[o++] = s[tt] - r;
      if (useSeason) {
        x[o++] = Math.sin(w * (ps.phase + tt));
        x[o++] = Math.cos(w * (ps.phase + tt));
      }
      o = calendarAt(x, o, ps.calendar, tt);
      if (spec.features.step) x[o++] = L > 1 ? j / (L - 1) : 0;
      for (let c = 0; c < K; c++) x[o++] = ps.cov![c][tt] - covRef[c];
    }
    if (withTargets) for (let k = 0; k < O; k++) y[i * O + k] = s[t + 1 + k] - r;
    if (future) {
      for (let k = 0; k < O; k++) {
        let o = (i * O + k) * FF;
        const tt = t + 1 + k;
        future[o++] = (k + 1) / spec.horizon;
        if (useSeason) {
          future[o++] = Math.sin(w * (ps.phase + tt));
          future[o++] = Math.cos(w * (ps.phase + tt));
        }
        calendarAt(future, o, ps.calendar, tt);
      }
    }
  }
  return { count, lookback: L, inputSize: F, outputs: O, futureSize: FF, x, y, future, ref, seriesIndex, origin };
}

/** Training origins of one series: every origin whose inputs and targets lie in [0, end) and, with "drop", touch no gap. */
export function trainingOrigins(
  ps: PreparedSeries,
  seriesIndex: number,
  lookback: number,
  outputs: number,
  end: number,
  dropGaps: boolean,
  difference: boolean,
): { seriesIndex: number; origin: number }[] {
  const out: { seriesIndex: number; origin: number }[] = [];
  const first = lookback - 1 + (difference ? 1 : 0);
  for (let t = first; t + outputs < end; t++) {
    if (dropGaps) {
      let bad = false;
      for (let j = t - lookback + 1 - (difference ? 1 : 0); j <= t + outputs && !bad; j++) if (ps.missing[j]) bad = true;
      if (bad) continue;
    }
    out.push({ seriesIndex, origin: t });
  }
  return out;
}

/** Calendar phase of a timestamp within its season (month of year, day of week, hour of day, ...). */
export function calendarPhase(ms: number, frequency: string, season: number): number {
  if (!Number.isFinite(ms) || season <= 1) return 0;
  const d = new Date(ms);
  let p = 0;
  switch (frequency) {
    case "monthly":
      p = d.getUTCMonth();
      break;
    case "quarterly":
      p = Math.floor(d.getUTCMonth() / 3);
      break;
    case "daily":
      p = d.getUTCDay();
      break;
    case "business":
      p = (d.getUTCDay() + 6) % 7;
      break;
    case "hourly":
      p = d.getUTCHours();
      break;
    case "minute":
      p = d.getUTCMinutes();
      break;
    case "weekly": {
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      p = Math.floor((ms - start) / (7 * 86_400_000));
      break;
    }
    default:
      p = 0;
  }
  return ((p % season) + season) % season;
}

/**
 * Preparation variants: one preparation spec (seasonal adjustment, log, scaler, window
 * normalisation) fitted on the training part of every series of a fit, and the prepared series
 * the members train and forecast on. Nothing at or after a series' `end` is transformed, so
 * nothing later can reach a model.
 */
import type { MemberData } from "./member";
import { fitPrep, transformSeries, type FittedPrep, type PrepSpec, type PreparedSeries } from "./prep";
import { covariatePrepSpec, filledCovariate, seriesCalendar, type CleanSeries } from "./input";

/** A preparation variant fitted on the training part of every series. */
export interface Variant {
  spec: PrepSpec;
  data: MemberData;
}

/**
 * A series with no training part (a global fit's validation phase, for a series no longer than the
 * horizon) has its preparation fitted on its prefix up to `end` instead: no window of it trains
 * then, and nothing of it is forecast or scored.
 */
export function makeVariant(spec: PrepSpec, series: CleanSeries[], trainEnd: number[], end: number[], season: number, horizon: number): Variant {
  const preps: FittedPrep[] = [];
  const covPreps: FittedPrep[][] = [];
  const prepared: PreparedSeries[] = [];
  const covSpec = covariatePrepSpec(spec);
  series.forEach((s, i) => {
    const fitEnd = trainEnd[i] > 0 ? trainEnd[i] : end[i];
    const prep = fitPrep(spec, s.y.subarray(0, fitEnd), season);
    preps.push(prep);
    // Only the prefix [0, end) is transformed: nothing later can reach the model.
    const ps: PreparedSeries = { z: transformSeries(prep, s.y.subarray(0, end[i])), phase: s.phase, missing: s.missing.subarray(0, end[i]) };
    ps.calendar = seriesCalendar(s, end[i] + horizon);
    if (s.covariates.length) {
      const cp: FittedPrep[] = [];
      ps.cov = s.covariates.map((c) => {
        const filled = filledCovariate(c.raw, end[i], spec.gapFill);
        const p = fitPrep(covSpec, filled.subarray(0, fitEnd), 1);
        cp.push(p);
        return transformSeries(p, filled);
      });
      covPreps.push(cp);
    } else covPreps.push([]);
    prepared.push(ps);
  });
  return { spec, data: { prepared, preps, covPreps, prepSpec: spec, season, horizon, trainEnd, valEnd: end } };
}

/** Prepares a whole series with preparations already fitted (target and covariates). */
export function preparedWith(s: CleanSeries, prep: FittedPrep, covPreps: FittedPrep[], spec: PrepSpec, horizon: number): PreparedSeries {
  const n = s.y.length;
  const ps: PreparedSeries = { z: transformSeries(prep, s.y), phase: s.phase, missing: s.missing, calendar: seriesCalendar(s, n + horizon) };
  if (covPreps.length) ps.cov = s.covariates.map((c, j) => transformSeries(covPreps[j], filledCovariate(c.raw, n, spec.gapFill)));
  return ps;
}

/** Re-transforms the full series with preparations already fitted (for forecasting from later origins). */
export function extendVariant(v: Variant, series: CleanSeries[]): Variant {
  const prepared = series.map((s, i) => preparedWith(s, v.data.preps[i], v.data.covPreps?.[i] ?? [], v.spec, v.data.horizon));
  return { spec: v.spec, data: { ...v.data, prepared } };
}

/**
 * The default preparation of a single-series fit: seasonal adjustment and log for positive series
 * (standardised otherwise), each window normalised by its last value. (The global model normalises
 * by a steadier recent level instead, see `globalWindowNorm`: across many series a few end on an
 * outlier, and there it won clearly on the M3 dev sets; on one series the last value did better.)
 */
export function defaultPrepSpecs(positive: boolean, season: number): PrepSpec[] {
  if (positive) {
    const main: PrepSpec = { deseasonalize: season > 1, log: true, scaler: "none", difference: false, windowNorm: "last", gapFill: "linear" };
    return [main];
  }
  return [{ deseasonalize: false, log: false, scaler: "standard", difference: false, windowNorm: "last", gapFill: "linear" }];
}

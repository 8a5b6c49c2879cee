/**
 * Every user-facing label and note of a forecast, single-series and global: what the model is
 * ("hybrid: mean of …"), why a fallback was used, and how the forecast compares with seasonal
 * naive and naive2 on the window it was scored on. One module, so the dashboard, the API and the
 * CLI say the same thing the same way.
 */
import type { Combination } from "./combination";
import type { Metrics } from "./metrics";

const CLASSICAL = "Theta, an SES/Holt/damped comb and a damped trend";

/** The neural part of a label: "lstm+gru ensemble of 4 (median)", with its covariates if any. */
export function neuralLabel(cells: string[], members: number, covariates: string[] = []): string {
  const c = [...new Set(cells)].join("+");
  const withCov = covariates.length ? ` with covariate${covariates.length > 1 ? "s" : ""} ${covariates.join(", ")}` : "";
  return (members > 1 ? `${c} ensemble of ${members} (median)` : c) + withCov;
}

/** The neural part of a global model's label. */
export function globalNeuralLabel(cells: string[], members: number, lookbacks: number[]): string {
  return `global ${[...new Set(cells)].join("+")} ensemble of ${members} (median; lookbacks ${[...new Set(lookbacks)].join(", ")})`;
}

const FALLBACK_NAME: Record<Combination, string> = {
  hybrid: "the hybrid",
  neural: "the networks",
  classical: "the classical combination",
  theta: "the Theta method",
  seasonalNaive: "seasonal naive",
  naive2: "naive2",
  legacyHybrid: "the hybrid",
};

/** The label of a combination whose neural part is described by `neural`. */
export function combinationLabel(kind: Combination, neural: string): string {
  switch (kind) {
    case "neural":
      return neural;
    case "hybrid":
      return `hybrid: mean of the ${neural}, ${CLASSICAL}`;
    case "legacyHybrid":
      return `hybrid: mean of the ${neural}, Theta and an SES/Holt/damped comb`;
    case "classical":
      return `classical: mean of ${CLASSICAL} (fallback: the ${neural} did not help on validation)`;
    case "theta":
      return `theta (fallback: the ${neural} was worse on validation)`;
    case "seasonalNaive":
      return `seasonal naive (fallback: the ${neural} was worse on validation)`;
    case "naive2":
      return `naive2 (fallback: the ${neural} was worse on validation)`;
  }
}

/** A global model's label for a series shorter than every member's lookback. */
export const TOO_SHORT_FOR_NETWORKS = `classical: mean of ${CLASSICAL} (series too short for the networks' lookback)`;

/** The label of `auto`'s forecast of a constant series (see `constantValue`): seasonal naive, which repeats its value. */
export const CONSTANT_SERIES = "seasonal naive (the series is constant: nothing for the networks to learn)";

/** The note of a constant series' forecast: what it is, and why its bands have no width. */
export function constantNote(value: number, networks: "not trained" | "not used"): string {
  return `Every value of the series is ${value}, so the forecast is that value (seasonal naive; the networks were ${networks}) and its bands have no width: the history shows no variation to estimate them from.`;
}

/** A timestamp as the CSVs write it: the date, and the time of day when it has one (UTC). */
function dateOf(timestamp: number): string {
  const iso = new Date(timestamp).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** What the classical methods replaced (see outliers.ts), for the note; "" when nothing. */
export function outlierNote(found: { timestamp: number; value: number; expected: number }[]): string {
  if (found.length === 0) return "";
  const shown = found.slice(0, 5).map((o) => `${dateOf(o.timestamp)} (${o.value}; about ${fmtNum(o.expected)} expected)`).join(", ");
  const more = found.length > 5 ? ` and ${found.length - 5} more` : "";
  const one = found.length === 1;
  return `${WARNING}the classical methods read ${one ? "1 value" : `${found.length} values`} far from both ${one ? "its" : "their"} neighbours and the same season's values as ${one ? "a data error" : "data errors"} and used the expected value instead (check ${one ? "it" : "them"} in the data): ${shown}${more}.`;
}

export const isFallback = (kind: Combination): boolean => kind === "classical" || kind === "theta" || kind === "seasonalNaive" || kind === "naive2";

/** How a note's sentence says the forecast did worse than it should: `warningsIn` finds them again. */
const WARNING = "Warning: ";

/** The sentences of a run's note that are warnings, without their "Warning: " (for a line that says it itself). */
export function warningsIn(note: string): string[] {
  return note
    .split(/(?<=\.)\s+(?=[A-Z])/)
    .filter((sentence) => sentence.startsWith(WARNING))
    .map((sentence) => sentence.slice(WARNING.length));
}

const fmt = (v: number | null) => (v === null ? "n/a" : v.toFixed(3));
export const fmtNum = (v: number): string => Number(v.toPrecision(4)).toString();

/** sMAPE pair to one decimal or, where that would show a tie the comparison did not see, to the fewest significant digits (2 to 4) that tell them apart. */
function smapePair(a: number, b: number): [string, string] {
  if (a.toFixed(1) !== b.toFixed(1) || a === b) return [a.toFixed(1), b.toFixed(1)];
  for (let p = 2; ; p++) {
    const pair: [string, string] = [Number(a.toPrecision(p)).toString(), Number(b.toPrecision(p)).toString()];
    if (pair[0] !== pair[1] || p === 4) return pair;
  }
}

/** "(MASE a vs b, sMAPE a% vs b%)": MASE left out when neither has one (a series whose seasonal naive fits its history exactly). */
function comparison(model: Metrics, sn: Metrics): string {
  const [ms, ss] = smapePair(model.smape, sn.smape);
  const mase = model.mase === null && sn.mase === null ? "" : `MASE ${fmt(model.mase)} vs ${fmt(sn.mase)}, `;
  return `(${mase}sMAPE ${ms}% vs ${ss}%)`;
}

/** Worse by MASE when both have one, else by sMAPE. */
export function worseThan(a: Metrics, b: Metrics): boolean {
  return a.mase !== null && b.mase !== null ? a.mase > b.mase : a.smape > b.smape;
}

/**
 * The run's note: a fallback said so, and how the forecast did on the held-out window against
 * seasonal naive (a plain warning when it lost) and naive2 (OWA).
 */
export function buildNote(label: string, combination: Combination, model: Metrics, sn: Metrics, n2: Metrics, ow: number | null, window = "held-out test window"): string {
  const parts: string[] = [];
  if (isFallback(combination)) parts.push(`On the validation window the networks did not improve on ${FALLBACK_NAME[combination]}, so the forecast uses it (${label}).`);
  const vs = comparison(model, sn);
  if (worseThan(model, sn)) parts.push(`${WARNING}on the ${window} this forecast was less accurate than seasonal naive ${vs}; prefer the seasonal naive forecast or more history.`);
  else parts.push(`On the ${window} this forecast beat seasonal naive ${vs}.`);
  if (ow !== null) parts.push(ow < 1 ? `OWA ${ow.toFixed(3)}: better than the naive2 benchmark.` : `OWA ${ow.toFixed(3)}: not better than the naive2 benchmark${worseThan(model, n2) ? "" : " on both measures"}.`);
  return parts.join(" ");
}

/** A global model's note: its validation score against naive2 and seasonal naive, and the series where it lost to seasonal naive. */
export function globalNote(label: string, horizon: number, series: number, score: number | null, seasonalNaiveScore: number | null, worseThanSeasonalNaive: string[]): string {
  const parts = [
    `On the validation windows (last ${horizon} points of ${series} series) ${label} scored OWA ${score === null ? "n/a" : score.toFixed(3)} against naive2` +
      (seasonalNaiveScore === null ? "." : ` (seasonal naive ${seasonalNaiveScore.toFixed(3)}).`),
  ];
  if (score !== null && seasonalNaiveScore !== null && score > seasonalNaiveScore) parts.push(WARNING + "over all series the forecast was less accurate than seasonal naive on validation.");
  if (worseThanSeasonalNaive.length) {
    const shown = worseThanSeasonalNaive.slice(0, 10).join(", ");
    const more = worseThanSeasonalNaive.length > 10 ? ` and ${worseThanSeasonalNaive.length - 10} more` : "";
    parts.push(`${WARNING}on its validation window the forecast was less accurate than seasonal naive for ${worseThanSeasonalNaive.length} series (${shown}${more}); their notes say so.`);
  }
  return parts.join(" ");
}

const LAGGED = "as lagged inputs (their values up to each forecast's origin)";

/** What became of the covariates of a fit, for the user. */
export const covariateNotes = {
  kept: (names: string, withErr: number, withoutErr: number) =>
    `The networks read the covariates ${names} ${LAGGED}: they lowered the validation MAE from ${fmtNum(withoutErr)} to ${fmtNum(withErr)}.`,
  rejected: (names: string, withErr: number, withoutErr: number) =>
    `The covariates ${names} were tried and did not improve the validation forecast (MAE ${fmtNum(withErr)} with them, ${fmtNum(withoutErr)} without), so the model uses the series alone.`,
  tooShort: (names: string) => `The covariates ${names} were not used: the series is too short for a direct forecaster, and the recursive strategy cannot read covariates.`,
  read: (names: string) => `The networks read the covariates ${names} ${LAGGED}.`,
  recursive: (names: string) =>
    `The covariates ${names} were not used: the recursive strategy feeds its own forecasts back and would need their unknown future values; use the direct or seq2seq strategy.`,
  dropped: (dropped: string[]) => `Covariates left out for lack of values at the series' dates: ${dropped.join(", ")}.`,
};

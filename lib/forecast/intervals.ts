/**
 * Split-conformal prediction intervals per horizon step. The conformity score of a calibration
 * forecast is |actual - forecast| / scale (scale = 1 for one series; the series' MASE scale when
 * residuals of many series are pooled). For level a and n scores the half-width is the score at
 * position (n + 1) a among them in increasing order, interpolated between its neighbours
 * (`conformalQuantile`). When a step has too few scores for that position (fewer than 19 at 95%),
 * neighbouring steps' scores are pooled in, each rescaled to the step's own error scale
 * (`stepScales`), and the width is at least the next lower level's times the normal quantile
 * ratio of the two levels (see `conformalTable`).
 */

export interface ConformalTable {
  levels: number[];
  /** halfWidth[levelIndex][step] in score units (multiply by the series scale). */
  halfWidth: number[][];
  /** Scores that were available per step before pooling. */
  counts: number[];
}

/**
 * The score at position (n + 1) a of the sorted scores (1-based), linearly interpolated: on
 * exchangeable scores the k-th smallest covers a new one with probability k / (n + 1), so this
 * position covers with probability a on average (the Hyndman-Fan type 6 quantile). The textbook
 * split-conformal rank, ceil((n + 1) a), guarantees at least a and gives up to 1 / (n + 1) more,
 * which on the 12 to 24 scores per step of a single series is up to 8 points (at 80%, a step of
 * 12 scores took the 11th: it covers 11 / 13 = 85% on average). Pooled over many series (a
 * global model's hundreds of scores per step) the two differ by a fraction of a point.
 */
export function conformalQuantile(sorted: number[], level: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (n + 1) * level;
  // Not enough scores to place the position inside them: the largest score is the honest best we have.
  if (position >= n) return sorted[n - 1];
  if (position <= 1) return sorted[0];
  const below = Math.floor(position);
  return sorted[below - 1] + (position - below) * (sorted[below] - sorted[below - 1]);
}

/** How many scores a step needs for the position (n + 1) a to fall inside them: 4 at 80%, 19 at 95%. */
export function scoresNeeded(level: number): number {
  return Math.ceil(1 / (1 - level)) - 1;
}

/**
 * The error scale of each horizon step: the mean of its scores, fitted non-decreasing over the
 * steps (`isotonic`, weighted by the scores behind each step); a step without scores takes the
 * nearest step's before it (after it for the first steps). The mean is what a dozen overlapping
 * windows estimate well enough; their tail quantiles they do not.
 */
export function stepScales(scoresByStep: number[][]): number[] {
  const mean = scoresByStep.map((sc) => (sc.length ? sc.reduce((a, b) => a + b, 0) / sc.length : NaN));
  const fitted = isotonic(mean, scoresByStep.map((sc) => Math.max(1, sc.length)));
  const first = fitted.findIndex(Number.isFinite);
  if (first < 0) return fitted;
  let last = fitted[first];
  return fitted.map((v) => (Number.isFinite(v) ? (last = v) : last));
}

/**
 * Step k's own scores and, until there are `needed`, those of the steps w = 1, 2, ... away on
 * either side, each multiplied by scale[k] / scale[j]: errors grow with the horizon, so the
 * unscaled scores of the steps before the last ones (the only neighbours the last steps have)
 * would narrow exactly the widest bands. On the M3 yearly series fitted one by one, the 95% band
 * of the last step held 85% of the test years with unscaled neighbours (that of the first, 99%).
 */
function pooledScores(scoresByStep: number[][], scale: number[], k: number, needed: number): number[] {
  const H = scoresByStep.length;
  const rescaled = (j: number) => {
    const factor = scale[k] > 0 && scale[j] > 0 ? scale[k] / scale[j] : 1;
    return scoresByStep[j].map((v) => v * factor);
  };
  let pool = scoresByStep[k].slice();
  for (let w = 1; pool.length < needed && w < H; w++) {
    if (k - w >= 0) pool = pool.concat(rescaled(k - w));
    if (k + w < H) pool = pool.concat(rescaled(k + w));
  }
  return pool.sort((a, b) => a - b);
}

/** The half-width ratio of two central normal intervals, e.g. 1.96 / 1.28 = 1.53 for 95% over 80%. */
function normalRatio(higher: number, lower: number): number {
  return normalQuantile(0.5 + higher / 200) / normalQuantile(0.5 + lower / 200);
}

/**
 * scoresByStep[k] holds the conformity scores observed at horizon step k (0-based). Per level,
 * from the lowest up: each step's quantile of its own scores, or of the pool (`pooledScores`)
 * where it has fewer than the level needs; then the least-squares non-decreasing fit over the
 * steps; then, where a higher level is not wider than the lower one, or its step had to pool,
 * at least the lower width times their normal ratio.
 *
 * Why the floor on pooled steps: there the width is one of the largest of some 20 scores from
 * overlapping windows of consecutive origins, which tell the tail of the errors poorly and too
 * narrow (the tail quantile of correlated scores sits below that of independent ones). On the M3
 * yearly and quarterly series fitted one by one the 95% width came out a median 1.38 and 1.43
 * times the 80% width, below the 1.53 of a normal distribution, although forecast errors are
 * heavier-tailed than normal; where steps have their own 19 scores (the long seasonal-dev series)
 * the ratio is 1.59. Where the scores cannot tell, the higher width follows the normal ratio.
 */
export function conformalTable(scoresByStep: number[][], levels: number[]): ConformalTable {
  const H = scoresByStep.length;
  const scores = scoresByStep.map((sc) => sc.filter(Number.isFinite));
  const scale = stepScales(scores);
  const weights = scoresByStep.map((sc) => Math.max(1, sc.length));
  const halfWidth: number[][] = levels.map(() => new Array<number>(H).fill(NaN));
  const order = levels.map((_, i) => i).sort((a, b) => levels[a] - levels[b]);
  order.forEach((li, j) => {
    const level = levels[li] / 100;
    const needed = scoresNeeded(level);
    const pooled = scores.map((own) => own.length < needed);
    const raw = scores.map((own, k) => conformalQuantile(pooled[k] ? pooledScores(scores, scale, k, needed) : [...own].sort((a, b) => a - b), level));
    // Uncertainty does not shrink with the horizon: the least-squares non-decreasing fit of the
    // per-step widths (pool adjacent violators, weighted by the scores behind each step). A running
    // maximum would carry every upward fluctuation to all later steps and over-cover.
    const width = isotonic(raw, weights);
    if (j > 0) {
      // Steps pool from the last ones back (a step's scores are never fewer than a later step's),
      // so the floored steps are the last ones and the widths stay non-decreasing.
      const lower = halfWidth[order[j - 1]];
      const ratio = normalRatio(levels[li], levels[order[j - 1]]);
      for (let k = 0; k < H; k++) {
        const floor = lower[k] * ratio;
        if (Number.isFinite(floor) && (pooled[k] || !(width[k] > lower[k]))) width[k] = Number.isFinite(width[k]) ? Math.max(width[k], floor) : floor;
      }
    }
    halfWidth[li] = width;
  });
  return { levels, halfWidth, counts: scoresByStep.map((s) => s.length) };
}

/** Weighted isotonic (non-decreasing) regression by pool adjacent violators; NaN entries stay NaN. */
export function isotonic(values: number[], weights: number[]): number[] {
  const blocks: { sum: number; w: number; n: number }[] = [];
  const finite = values.map(Number.isFinite);
  values.forEach((v, i) => {
    if (!finite[i]) return;
    blocks.push({ sum: v * weights[i], w: weights[i], n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].sum / blocks[blocks.length - 2].w > blocks[blocks.length - 1].sum / blocks[blocks.length - 1].w) {
      const b = blocks.pop()!;
      const a = blocks[blocks.length - 1];
      a.sum += b.sum;
      a.w += b.w;
      a.n += b.n;
    }
  });
  const fitted: number[] = [];
  for (const b of blocks) for (let i = 0; i < b.n; i++) fitted.push(b.sum / b.w);
  let j = 0;
  return values.map((v, i) => (finite[i] ? fitted[j++] : v));
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lowTail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export interface Band {
  level: number;
  lo: number[];
  hi: number[];
}

/** Intervals around a point forecast; `nonNegative` clips lower bounds at 0 for non-negative series. */
export function applyConformal(table: ConformalTable, forecast: number[], scale: number, nonNegative: boolean): Band[] {
  return table.levels.map((level, li) => {
    const lo: number[] = [];
    const hi: number[] = [];
    for (let k = 0; k < forecast.length; k++) {
      const w = table.halfWidth[li][Math.min(k, table.halfWidth[li].length - 1)] * scale;
      const l = forecast[k] - w;
      lo.push(nonNegative ? Math.max(0, l) : l);
      hi.push(forecast[k] + w);
    }
    return { level, lo, hi };
  });
}

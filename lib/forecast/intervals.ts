/**
 * Split-conformal prediction intervals per horizon step. The conformity score of a calibration
 * forecast is |actual - forecast| / scale (scale = 1 for one series; the series' MASE scale when
 * residuals of many series are pooled). For level a and n scores the half-width is the score at
 * position (n + 1) a among them in increasing order, interpolated between its neighbours
 * (`conformalQuantile`). When a step has too few scores for that position, neighbouring steps
 * are pooled in.
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

/** scoresByStep[k] holds the conformity scores observed at horizon step k (0-based). */
export function conformalTable(scoresByStep: number[][], levels: number[]): ConformalTable {
  const H = scoresByStep.length;
  const halfWidth: number[][] = levels.map(() => new Array<number>(H).fill(NaN));
  for (let li = 0; li < levels.length; li++) {
    const level = levels[li] / 100;
    const needed = Math.ceil(1 / (1 - level)) - 1;
    for (let k = 0; k < H; k++) {
      let pool = scoresByStep[k].filter(Number.isFinite);
      for (let w = 1; pool.length < needed && w < H; w++) {
        if (k - w >= 0) pool = pool.concat(scoresByStep[k - w].filter(Number.isFinite));
        if (k + w < H) pool = pool.concat(scoresByStep[k + w].filter(Number.isFinite));
      }
      pool.sort((a, b) => a - b);
      halfWidth[li][k] = conformalQuantile(pool, level);
    }
    // Uncertainty does not shrink with the horizon: the least-squares non-decreasing fit of the
    // per-step widths (pool adjacent violators, weighted by the scores behind each step). A running
    // maximum would carry every upward fluctuation to all later steps and over-cover.
    halfWidth[li] = isotonic(halfWidth[li], scoresByStep.map((sc) => Math.max(1, sc.length)));
  }
  // A higher level is wider than a lower one: where the scores cannot tell them apart (too few, or
  // ties), the higher width follows the normal quantile ratio of the two levels.
  const order = levels.map((l, i) => i).sort((a, b) => levels[a] - levels[b]);
  for (let j = 1; j < order.length; j++) {
    const lo = order[j - 1];
    const hi = order[j];
    const ratio = normalQuantile(0.5 + levels[hi] / 200) / normalQuantile(0.5 + levels[lo] / 200);
    for (let k = 0; k < H; k++) if (!(halfWidth[hi][k] > halfWidth[lo][k])) halfWidth[hi][k] = halfWidth[lo][k] * ratio;
  }
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

/**
 * Split-conformal prediction intervals per horizon step. The conformity score of a calibration
 * forecast is |actual - forecast| / scale (scale = 1 for one series; the series' MASE scale when
 * residuals of many series are pooled). For level a and n scores the half-width is the
 * ceil((n + 1) a)-th smallest score, which covers with probability >= a on exchangeable data.
 * When a step has too few scores for that rank, neighbouring steps are pooled in.
 */

export interface ConformalTable {
  levels: number[];
  /** halfWidth[levelIndex][step] in score units (multiply by the series scale). */
  halfWidth: number[][];
  /** Scores that were available per step before pooling. */
  counts: number[];
}

function conformalRank(sorted: number[], level: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((n + 1) * level);
  // Not enough scores for a finite-sample guarantee: the largest score is the honest best we have.
  return sorted[Math.min(n, rank) - 1];
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
      halfWidth[li][k] = conformalRank(pool, level);
    }
    // Uncertainty does not shrink with the horizon: make the widths non-decreasing.
    for (let k = 1; k < H; k++) if (halfWidth[li][k] < halfWidth[li][k - 1]) halfWidth[li][k] = halfWidth[li][k - 1];
  }
  // Higher levels are never narrower than lower ones.
  const order = levels.map((l, i) => i).sort((a, b) => levels[a] - levels[b]);
  for (let j = 1; j < order.length; j++)
    for (let k = 0; k < H; k++)
      if (halfWidth[order[j]][k] < halfWidth[order[j - 1]][k]) halfWidth[order[j]][k] = halfWidth[order[j - 1]][k];
  return { levels, halfWidth, counts: scoresByStep.map((s) => s.length) };
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

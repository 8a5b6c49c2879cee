/**
 * Colour scales of the heatmaps: "signed" values (states, weights) diverge from white at 0 to blue
 * (negative) and red (positive), symmetric around 0; "unit" values (gates, in (0, 1)) run from
 * pale yellow at 0 to deep blue at 1. Both read in greyscale and for the common colour-vision
 * deficiencies (ColorBrewer RdBu and YlGnBu).
 */
export type HeatScale = "signed" | "unit";

const STOPS: Record<HeatScale, [number, [number, number, number]][]> = {
  signed: [
    [0, [33, 102, 172]],
    [0.25, [103, 169, 207]],
    [0.5, [247, 247, 247]],
    [0.75, [239, 138, 98]],
    [1, [178, 24, 43]],
  ],
  unit: [
    [0, [255, 255, 217]],
    [0.25, [199, 233, 180]],
    [0.5, [65, 182, 196]],
    [0.75, [34, 94, 168]],
    [1, [8, 29, 88]],
  ],
};

/** The domain a scale shows: [-m, m] with m the largest |value| for signed data, [0, 1] for gates. */
export function heatDomain(scale: HeatScale, values: readonly number[][]): [number, number] {
  if (scale === "unit") return [0, 1];
  let m = 0;
  for (const row of values) for (const v of row) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m > 0 ? [-m, m] : [-1, 1];
}

/** The colour of v on the scale over [lo, hi] (clamped), as rgb(). */
export function heatColor(scale: HeatScale, lo: number, hi: number, v: number): string {
  const t = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
  const stops = STOPS[scale];
  let i = 1;
  while (i < stops.length - 1 && stops[i][0] < t) i++;
  const [t0, c0] = stops[i - 1], [t1, c1] = stops[i];
  const f = (t - t0) / (t1 - t0);
  const c = c0.map((x, k) => Math.round(x + f * (c1[k] - x)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The CSS gradient of a scale, for its legend bar. */
export function heatGradient(scale: HeatScale): string {
  return `linear-gradient(90deg, ${STOPS[scale].map(([t, c]) => `rgb(${c.join(",")}) ${t * 100}%`).join(", ")})`;
}

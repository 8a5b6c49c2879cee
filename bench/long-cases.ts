/**
 * The long-series cases of bench/long-series.ts (see there): each a whole series, oldest first, of
 * which the benchmark fits all but the last `horizon` points (or, with --origins, all but the last
 * few horizons) and scores the rest.
 */
import fs from "node:fs";
import path from "node:path";
import { mulberry32, normal } from "../lib/tensor/random";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface Case {
  name: string;
  /** ISO dates (or datetimes) and values, oldest first. */
  dates: string[];
  values: number[];
  horizon: number;
  season: number;
  /**
   * Synthetic cases: the forecast the process itself makes from the first `n` values (its known
   * deterministic part, plus the last deviation from it decayed by the AR(1) coefficient), the
   * ceiling a forecaster can reach on average. Computed from the rounded values, as a user sees them.
   */
  processForecast?: (n: number, h: number) => number[];
}

/** AR(1) coefficient of the synthetic cases' noise. */
const PHI = 0.7;

/** signal(i) + scale × AR(1) noise with unit innovations, rounded to 3 decimals. */
function synthetic(n: number, stepMs: number, start: number, signal: (i: number) => number, scale: number, seed: number): Pick<Case, "dates" | "values" | "processForecast"> {
  const rng = mulberry32(seed);
  let ar = 0;
  const dates: string[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    ar = PHI * ar + normal(rng);
    const d = new Date(start + i * stepMs).toISOString();
    dates.push(stepMs < 86_400_000 ? d.slice(0, 19) : d.slice(0, 10));
    values.push(Number((signal(i) + scale * ar).toFixed(3)));
  }
  const processForecast = (m: number, h: number) => {
    const last = values[m - 1] - signal(m - 1);
    return Array.from({ length: h }, (_, k) => signal(m + k) + PHI ** (k + 1) * last);
  };
  return { dates, values, processForecast };
}

function hourly10k(): Case {
  const tau = 2 * Math.PI;
  // 10,000 points to fit and the next 24 to score
  const s = synthetic(
    10_024,
    3_600_000,
    Date.UTC(2020, 0, 1),
    (i) => {
      const hour = i % 24;
      const day = Math.floor(i / 24) % 7;
      const daily = 18 * Math.sin((tau * (hour - 6)) / 24) + 7 * Math.sin((2 * tau * hour) / 24);
      const weekly = day >= 5 ? -12 : 0;
      return 300 + 0.004 * i + daily + weekly;
    },
    4,
    11,
  );
  return { name: "hourly-10k", ...s, horizon: 24, season: 24 };
}

function daily5k(): Case {
  const tau = 2 * Math.PI;
  const s = synthetic(
    5_014,
    86_400_000,
    Date.UTC(2008, 0, 1),
    (i) => 1000 + 0.05 * i + 60 * Math.sin((tau * i) / 365.25) + [0, 10, 12, 11, 14, 30, -40][i % 7],
    15,
    12,
  );
  return { name: "daily-5k", ...s, horizon: 14, season: 7 };
}

function seattleHourly(): Case {
  const file = path.join(ROOT, "node_modules/vega-datasets/data/seattle-weather-hourly-normals.csv");
  const rows = fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  return { name: "seattle-hourly", dates: rows.map((r) => r[0]), values: rows.map((r) => Number(r[2])), horizon: 24, season: 24 };
}

function monthly120(): Case {
  const rows = ["train.csv", "test.csv"].flatMap((f) =>
    fs
      .readFileSync(path.join(ROOT, "../shared/data/m3-monthly-dev", f), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => r[0] === "N2074"),
  );
  // 120 points to fit and the next 12 to score
  const kept = rows.slice(0, 132);
  return { name: "monthly-120", dates: kept.map((r) => r[1]), values: kept.map((r) => Number(r[2])), horizon: 12, season: 12 };
}

export const CASES: Record<string, () => Case> = { "hourly-10k": hourly10k, "daily-5k": daily5k, "seattle-hourly": seattleHourly, "monthly-120": monthly120 };

export function mase(train: number[], actual: number[], forecast: number[], m: number): number {
  let scale = 0;
  for (let t = m; t < train.length; t++) scale += Math.abs(train[t] - train[t - m]);
  scale /= train.length - m;
  let e = 0;
  for (let k = 0; k < actual.length; k++) e += Math.abs(actual[k] - forecast[k]);
  return e / actual.length / scale;
}

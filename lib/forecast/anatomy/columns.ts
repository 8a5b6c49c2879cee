/**
 * The columns of a window, as buildWindows lays them out (prep.ts, `FeatureSpec`):
 *   [value, season sin, season cos, month sin, month cos, weekday sin, weekday cos, step, cov_1 .. cov_K]
 * keeping only the enabled ones, with what each one is: the series' value, a feature of the step's
 * time (the same for every window that contains that time), the step's position in the window,
 * or a covariate's value.
 */
import { inputSize, type FeatureSpec } from "../prep";
import { ForecastError } from "../errors";

export type ColumnKind = "value" | "time" | "position" | "covariate";

export interface WindowColumn {
  name: string;
  kind: ColumnKind;
}

export function windowColumns(features: FeatureSpec, season: number, covariateNames: readonly string[]): WindowColumn[] {
  const cols: WindowColumn[] = [{ name: "value", kind: "value" }];
  const time = (name: string) => cols.push({ name, kind: "time" });
  if (features.season && season > 1) {
    time("season sin");
    time("season cos");
  }
  if (features.month) {
    time("month sin");
    time("month cos");
  }
  if (features.weekday) {
    time("weekday sin");
    time("weekday cos");
  }
  if (features.step) cols.push({ name: "step", kind: "position" });
  const K = features.covariates ?? 0;
  for (let c = 0; c < K; c++) cols.push({ name: covariateNames[c] ?? `covariate ${c + 1}`, kind: "covariate" });
  if (cols.length !== inputSize(features, season)) {
    throw new ForecastError("internal", `The window has ${inputSize(features, season)} inputs per step but ${cols.length} known columns.`);
  }
  return cols;
}

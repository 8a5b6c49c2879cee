/**
 * Tidecast's forecasting engine. Pure: no clock, database or Math.random; a seeded RNG drives
 * everything, so the worker, the CLI and the tests run the same code and get the same numbers.
 */
export { fitForecast, predictFromModel, parseConfig } from "./engine";
export type {
  SeriesInput,
  CovariateInput,
  PositionFeatures,
  EpochProgress,
  FitOptions,
  Metrics,
  ForecastOutcome,
  IntervalSet,
  Prediction,
  Selection,
} from "./engine";
export { loadModel, writeModel, MODEL_FILE_VERSION } from "./modelfile";
export type { LoadedModel, ModelHeader, GlobalModelHeader, AnyModelHeader } from "./modelfile";
export { resolveFeatures, calendarOf, MONTH_FREQUENCIES, WEEKDAY_FREQUENCIES } from "./prep";
export type { FeatureSpec, Calendar } from "./prep";
export { ForecastError, ForecastCancelled } from "./errors";
export { fitGlobal, planGlobal, runGlobalMember, finishGlobal, groupByFrequency } from "./global";
export type { GlobalPlan, GlobalMemberResult, GlobalOutcome, GlobalSeriesOutcome, GlobalOptions } from "./global";
export { naive, seasonalNaive, drift, naive2, allBaselines, BASELINES } from "./baselines";
export type { BaselineName } from "./baselines";
export { computeMetrics, smape, maseScale, owa, coverage } from "./metrics";
export { conformalTable, applyConformal } from "./intervals";
export type { ConformalTable } from "./intervals";
export { thetaForecast, combShdForecast, classicalForecasts, isSeasonal, multiplicativeSeasonalIndices, deseasonalize } from "./stats";
export { combine, statForecasts, chooseCombination, COMBINATIONS, AUTO_CANDIDATES } from "./combination";
export type { Combination, CombinationScore, StatForecasts } from "./combination";
export { buildNote, combinationLabel, warningsIn } from "./labels";
export { backtest } from "./backtest";
export type { BacktestResult } from "./backtest";
export { modelConfigSchema, resolveModelConfig, configKey, MODEL_KINDS, STRATEGIES } from "./config";
export type { ModelConfig, ModelConfigInput } from "./config";

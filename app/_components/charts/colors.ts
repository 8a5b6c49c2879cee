/** The dashboard's palette: one colour per role, so every chart reads the same way. */
export const COLORS = {
  history: "#0b6bcb",
  forecast: "#d9480f",
  band80: "rgba(217,72,15,0.24)",
  band95: "rgba(217,72,15,0.11)",
  actual: "#17202a",
  backtest: "#7b2cbf",
  backtestBand: "rgba(123,44,191,0.12)",
  baseline: "#8a94a0",
  refit: "#0f2741",
  compare: "#1d7a46",
  compareVal: "#b08900",
  compareBand: "rgba(29,122,70,0.16)",
  compareBand95: "rgba(29,122,70,0.08)",
  best: "#1d7a46",
  train: "#0b6bcb",
  val: "#d9480f",
} as const;

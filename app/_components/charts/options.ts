import type { ChartOptions } from "chart.js";

/**
 * Options the time-series charts share (the forecast chart, the forecast-versus-actual chart): a
 * time x axis and a free y axis on light grid lines, and a tooltip that leaves out the lower edge
 * of each band (a band is two datasets) and prints values as numbers.
 */
type LineOptions = ChartOptions<"line">;

export const TIME_SCALES: LineOptions["scales"] = {
  x: { type: "time", ticks: { maxRotation: 0, autoSkip: true }, grid: { color: "#eef1f4" } },
  y: { beginAtZero: false, grid: { color: "#eef1f4" } },
};

export const BAND_TOOLTIP: NonNullable<LineOptions["plugins"]>["tooltip"] = {
  filter: (item) => !String(item.dataset.label ?? "").endsWith("(lower)"),
  callbacks: {
    label: (item) => `${item.dataset.label}: ${typeof item.parsed.y === "number" ? item.parsed.y.toLocaleString("en-US", { maximumFractionDigits: 4 }) : "—"}`,
  },
};

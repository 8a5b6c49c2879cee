"use client";

import { useEffect, useRef } from "react";
import type { Chart as ChartType, ChartDataset } from "chart.js";
import type { PointsPayload } from "./setup";
import { isFirstOfGroup, setGroupVisible } from "./legend";
import { useChart } from "./useChart";
import { BAND_TOOLTIP, TIME_SCALES } from "./options";

/** One forecast to draw: its points and bands, in a colour. */
export interface ForecastSeries {
  key: string;
  label: string;
  /** prefix of the band labels in the legend: "" for one forecast, "Run #4 " when comparing */
  bandLabel: string;
  color: string;
  band80: string;
  band95: string;
  bands: boolean;
  ts: number[];
  value: (number | null)[];
  lo80: (number | null)[];
  hi80: (number | null)[];
  lo95: (number | null)[];
  hi95: (number | null)[];
}

export interface BacktestSeries {
  label: string;
  timestamps: number[];
  actual: number[];
  model: number[];
  lo80: number[] | null;
  hi80: number[] | null;
  seasonalNaive: number[] | null;
}

type XY = { x: number; y: number | null };

const clean = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function xy(ts: readonly number[], values: readonly (number | null)[]): XY[] {
  const out = new Array<XY>(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = { x: ts[i], y: clean(values[i]) };
  return out;
}

/** A dataset and the legend group it belongs to (a band is two datasets, one legend entry). */
interface Entry {
  group: string;
  dataset: ChartDataset<"line", XY[]>;
  hiddenByDefault?: boolean;
}

function buildEntries(history: PointsPayload | null, historyLabel: string, forecasts: ForecastSeries[], backtest: BacktestSeries | null, colors: Record<string, string>): Entry[] {
  const entries: Entry[] = [];
  if (history) {
    entries.push({
      group: "history",
      dataset: {
        label: historyLabel,
        data: xy(history.ts, history.value),
        borderColor: colors.history,
        backgroundColor: colors.history,
        borderWidth: 1.25,
        pointRadius: 0,
        spanGaps: false,
      },
    });
  }
  for (const f of forecasts) {
    if (f.bands) {
      for (const [level, color, lo, hi] of [
        [95, f.band95, f.lo95, f.hi95],
        [80, f.band80, f.lo80, f.hi80],
      ] as const) {
        if (!hi.some((v) => clean(v) !== null)) continue;
        const group = `${f.key}-band${level}`;
        entries.push({
          group,
          dataset: { label: `${f.bandLabel}${level}% interval`, data: xy(f.ts, hi), borderWidth: 0, pointRadius: 0, backgroundColor: color, borderColor: color, fill: "+1" },
        });
        entries.push({
          group,
          dataset: { label: `${f.bandLabel}${level}% interval (lower)`, data: xy(f.ts, lo), borderWidth: 0, pointRadius: 0, backgroundColor: color, borderColor: color, fill: false },
        });
      }
    }
    entries.push({
      group: `${f.key}-line`,
      dataset: {
        label: f.label,
        data: xy(f.ts, f.value),
        borderColor: f.color,
        backgroundColor: f.color,
        borderWidth: 2,
        pointRadius: f.ts.length <= 60 ? 2 : 0,
        pointHoverRadius: 4,
      },
    });
  }
  if (backtest && backtest.timestamps.length > 0) {
    if (backtest.lo80 && backtest.hi80) {
      entries.push({
        group: "backtest-band",
        dataset: { label: "Backtest 80% interval", data: xy(backtest.timestamps, backtest.hi80), borderWidth: 0, pointRadius: 0, backgroundColor: colors.backtestBand, fill: "+1" },
        hiddenByDefault: true,
      });
      entries.push({
        group: "backtest-band",
        dataset: { label: "Backtest 80% interval (lower)", data: xy(backtest.timestamps, backtest.lo80), borderWidth: 0, pointRadius: 0, backgroundColor: colors.backtestBand, fill: false },
        hiddenByDefault: true,
      });
    }
    entries.push({
      group: "backtest-actual",
      dataset: {
        label: "Holdout actual",
        data: xy(backtest.timestamps, backtest.actual),
        borderColor: colors.actual,
        backgroundColor: colors.actual,
        borderWidth: 1.5,
        pointRadius: backtest.timestamps.length <= 80 ? 2.5 : 0,
      },
    });
    entries.push({
      group: "backtest-model",
      dataset: {
        label: backtest.label,
        data: xy(backtest.timestamps, backtest.model),
        borderColor: colors.backtest,
        backgroundColor: colors.backtest,
        borderWidth: 2,
        borderDash: [5, 3],
        pointRadius: 0,
      },
    });
    if (backtest.seasonalNaive) {
      entries.push({
        group: "backtest-snaive",
        dataset: {
          label: "Seasonal naive (backtest)",
          data: xy(backtest.timestamps, backtest.seasonalNaive),
          borderColor: colors.baseline,
          backgroundColor: colors.baseline,
          borderWidth: 1.5,
          borderDash: [2, 3],
          pointRadius: 0,
        },
        hiddenByDefault: true,
      });
    }
  }
  return entries;
}

/**
 * The series' history with its forecasts: 80% and 95% intervals as shaded bands, the backtest on
 * the holdout against the actual values. LTTB decimation keeps 100,000+ points fast; wheel
 * (with Ctrl) or pinch zooms and dragging pans (chartjs-plugin-zoom, loaded in the browser only).
 * The legend hides or shows each part; a band's two edges toggle together.
 */
export function ForecastChart({
  history,
  historyLabel,
  forecasts,
  backtest,
  colors,
  loading,
  summary,
}: {
  history: PointsPayload | null;
  historyLabel: string;
  forecasts: ForecastSeries[];
  backtest: BacktestSeries | null;
  colors: Record<string, string>;
  loading: boolean;
  /** a sentence saying what the chart shows (its accessible description) */
  summary: string;
}) {
  const groupsRef = useRef<string[]>([]);
  const hiddenRef = useRef<Map<string, boolean>>(new Map());
  /** true while the view is the one we chose (the recent past and the forecast), until the user zooms or pans */
  const autoViewRef = useRef(true);

  // Create the chart once; data arrives through the effect below.
  const { canvas, chart: chartRef, ready, error } = useChart(
    async () => {
      const [setup, { registerZoom }] = await Promise.all([import("./setup"), import("./zoom")]);
      await registerZoom();
      return setup;
    },
    ({ Chart }, el) => {
      const toggleGroup = (chart: ChartType<"line", XY[]>, group: string) => {
        const hidden = !(hiddenRef.current.get(group) ?? false);
        hiddenRef.current.set(group, hidden);
        setGroupVisible(chart, groupsRef.current, group, !hidden);
      };
      return new Chart<"line", XY[]>(el, {
        type: "line",
        data: { datasets: [] },
        options: {
          animation: false,
          parsing: false,
          normalized: true,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: TIME_SCALES,
          plugins: {
            decimation: { enabled: true, algorithm: "lttb", samples: 1200, threshold: 2400 },
            legend: {
              position: "bottom",
              labels: {
                boxWidth: 14,
                boxHeight: 10,
                // one legend entry per group: the first dataset of each
                filter: (item) => isFirstOfGroup(item, groupsRef.current),
              },
              onClick: (_e, item, legend) => {
                const i = item.datasetIndex ?? -1;
                if (i >= 0) toggleGroup(legend.chart as ChartType<"line", XY[]>, groupsRef.current[i]);
              },
            },
            tooltip: BAND_TOOLTIP,
            zoom: {
              pan: { enabled: true, mode: "x", onPanComplete: () => void (autoViewRef.current = false) },
              zoom: {
                wheel: { enabled: true, modifierKey: "ctrl" },
                pinch: { enabled: true },
                mode: "x",
                onZoomComplete: () => void (autoViewRef.current = false),
              },
            },
          },
        },
      });
    },
  );

  // (Re)load the datasets whenever the inputs change, keeping the user's legend choices and zoom.
  useEffect(() => {
    const chart = chartRef.current;
    if (!ready || !chart) return;
    const entries = buildEntries(history, historyLabel, forecasts, backtest, colors);
    groupsRef.current = entries.map((e) => e.group);
    chart.data.datasets = entries.map((e) => e.dataset);
    entries.forEach((e, i) => {
      if (!hiddenRef.current.has(e.group)) hiddenRef.current.set(e.group, e.hiddenByDefault ?? false);
      chart.setDatasetVisibility(i, !hiddenRef.current.get(e.group));
    });
    chart.update("none"); // synchronous draw (no animation)
    if (history && chart.canvas.dataset.drawn !== "true") {
      chart.canvas.dataset.drawn = "true";
      performance.mark("tidecast:forecast-chart-drawn"); // load-time measurements
    }
    // Our view: the recent past and the forecasts, when the history is long; it follows new
    // forecasts until the user zooms or pans.
    if (autoViewRef.current && history && history.ts.length > 0) {
      const range = recentRange(history.ts, forecasts);
      if (range) chart.zoomScale("x", range, "none");
    }
  }, [ready, chartRef, history, historyLabel, forecasts, backtest, colors]);

  const showRecent = () => {
    const chart = chartRef.current;
    if (!chart || !history) return;
    const range = recentRange(history.ts, forecasts, true);
    if (range) chart.zoomScale("x", range, "none");
    autoViewRef.current = true;
  };

  /** Zoom buttons: a factor, or 0 for the whole history. Either way the view is the user's now. */
  const zoomBy = (factor: number) => {
    const chart = chartRef.current;
    if (!chart) return;
    if (factor === 0) chart.resetZoom("none");
    else chart.zoom(factor, "none");
    autoViewRef.current = false;
  };

  return (
    <div>
      <div className="chart-box tc-chart-tall" data-state={error ? "error" : ready && !loading ? "ready" : "loading"}>
        <canvas ref={canvas} role="img" aria-label="Forecast chart" aria-describedby="forecast-chart-summary" />
        {loading && <p className="subtle tc-chart-note">Loading the history…</p>}
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="row tc-chart-tools">
        <button type="button" className="btn secondary small" onClick={showRecent}>
          Recent
        </button>
        <button type="button" className="btn secondary small" onClick={() => zoomBy(0)}>
          All history
        </button>
        <button type="button" className="btn secondary small" aria-label="Zoom in" onClick={() => zoomBy(1.5)}>
          +
        </button>
        <button type="button" className="btn secondary small" aria-label="Zoom out" onClick={() => zoomBy(1 / 1.5)}>
          −
        </button>
        <span className="subtle">Drag to pan · Ctrl + wheel or pinch to zoom · click the legend to hide parts</span>
      </div>
      <p id="forecast-chart-summary" className="visually-hidden">
        {summary}
      </p>
    </div>
  );
}

/** The last stretch of history (about five horizons, at least 150 points) plus the forecasts. */
function recentRange(ts: number[], forecasts: ForecastSeries[], force = false): { min: number; max: number } | null {
  const n = ts.length;
  const horizon = Math.max(0, ...forecasts.map((f) => f.ts.length));
  const keep = Math.max(150, 5 * horizon);
  if (n <= keep * 1.5 && !force) return null;
  const min = ts[Math.max(0, n - keep)];
  const max = Math.max(ts[n - 1], ...forecasts.flatMap((f) => (f.ts.length ? [f.ts[f.ts.length - 1]] : [])));
  return { min, max };
}

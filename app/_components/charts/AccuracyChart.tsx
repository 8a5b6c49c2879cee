"use client";

import { useEffect, useRef } from "react";
import type { ChartDataset } from "chart.js";
import type { PointsPayload } from "./setup";
import { setGroupVisible } from "./legend";
import { useChart } from "./useChart";
import { BAND_TOOLTIP, TIME_SCALES } from "./options";

/** A past forecast to draw over the actual values: its dates, values and bands. */
export interface PastForecastSeries {
  key: string;
  label: string;
  color: string;
  /** rgba fills of the 80% and 95% bands */
  band80: string;
  band95: string;
  ts: number[];
  value: number[];
  lo80: (number | null)[];
  hi80: (number | null)[];
  lo95: (number | null)[];
  hi95: (number | null)[];
}

type XY = { x: number; y: number | null };

const xy = (ts: readonly number[], values: readonly (number | null)[]): XY[] => ts.map((x, i) => ({ x, y: values[i] ?? null }));

/** The actual values around the forecasts: from a few steps before the oldest origin to the newest date. */
function actualsIn(history: PointsPayload, forecasts: PastForecastSeries[]): XY[] {
  if (forecasts.length === 0) return [];
  const first = Math.min(...forecasts.map((f) => f.ts[0] ?? Infinity));
  const last = Math.max(...forecasts.map((f) => f.ts[f.ts.length - 1] ?? -Infinity));
  const out: XY[] = [];
  let start = history.ts.findIndex((t) => t >= first);
  if (start < 0) start = history.ts.length;
  const lead = Math.max(6, Math.round(Math.max(...forecasts.map((f) => f.ts.length)) / 2));
  for (let i = Math.max(0, start - lead); i < history.ts.length && history.ts[i] <= last; i++) out.push({ x: history.ts[i], y: history.value[i] });
  return out;
}

function entries(history: PointsPayload | null, forecasts: PastForecastSeries[], actualColor: string): { group: string; dataset: ChartDataset<"line", XY[]> }[] {
  const out: { group: string; dataset: ChartDataset<"line", XY[]> }[] = [];
  // Oldest first, so the newest forecast is drawn on top.
  for (const f of [...forecasts].reverse()) {
    for (const [level, fill, lo, hi] of [
      [95, f.band95, f.lo95, f.hi95],
      [80, f.band80, f.lo80, f.hi80],
    ] as const) {
      if (!hi.some((v) => v !== null)) continue;
      out.push({ group: f.key, dataset: { label: `${f.label} ${level}% interval`, data: xy(f.ts, hi), borderWidth: 0, pointRadius: 0, backgroundColor: fill, fill: "+1" } });
      out.push({ group: f.key, dataset: { label: `${f.label} ${level}% interval (lower)`, data: xy(f.ts, lo), borderWidth: 0, pointRadius: 0, backgroundColor: fill, fill: false } });
    }
    out.push({
      group: f.key,
      dataset: { label: f.label, data: xy(f.ts, f.value), borderColor: f.color, backgroundColor: f.color, borderWidth: 2, pointRadius: f.ts.length <= 40 ? 2 : 0 },
    });
  }
  if (history) {
    out.push({
      group: "actual",
      dataset: { label: "Actual", data: actualsIn(history, forecasts), borderColor: actualColor, backgroundColor: actualColor, borderWidth: 2, pointRadius: 2.5, spanGaps: false },
    });
  }
  return out;
}

/**
 * Past forecasts, each from its own origin, over the actual values that arrived for their dates,
 * with their 80% and 95% bands: where a forecast's band held the actuals and where it did not.
 * The legend hides or shows a whole forecast (its line and bands) at a click.
 */
export function AccuracyChart({
  history,
  forecasts,
  actualColor,
  summary,
}: {
  history: PointsPayload | null;
  forecasts: PastForecastSeries[];
  actualColor: string;
  /** a sentence saying what the chart shows (its accessible description) */
  summary: string;
}) {
  const groupsRef = useRef<string[]>([]);
  const hiddenRef = useRef<Map<string, boolean>>(new Map());

  const { canvas, chart: chartRef, ready, error } = useChart(
    () => import("./setup"),
    ({ Chart }, el) =>
      new Chart<"line", XY[]>(el, {
        type: "line",
        data: { datasets: [] },
        options: {
          animation: false,
          parsing: false,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: TIME_SCALES,
          plugins: {
            legend: {
              position: "bottom",
              // one legend entry per forecast: its line, the last dataset of its group
              labels: {
                boxWidth: 14,
                boxHeight: 10,
                filter: (item) => {
                  const i = item.datasetIndex ?? -1;
                  return i >= 0 && groupsRef.current.lastIndexOf(groupsRef.current[i]) === i;
                },
              },
              onClick: (_e, item, legend) => {
                const i = item.datasetIndex ?? -1;
                if (i < 0) return;
                const group = groupsRef.current[i];
                const hidden = !(hiddenRef.current.get(group) ?? false);
                hiddenRef.current.set(group, hidden);
                setGroupVisible(legend.chart, groupsRef.current, group, !hidden);
              },
            },
            tooltip: BAND_TOOLTIP,
          },
        },
      }),
  );

  useEffect(() => {
    const chart = chartRef.current;
    if (!ready || !chart) return;
    const list = entries(history, forecasts, actualColor);
    groupsRef.current = list.map((e) => e.group);
    chart.data.datasets = list.map((e) => e.dataset);
    list.forEach((e, i) => chart.setDatasetVisibility(i, !(hiddenRef.current.get(e.group) ?? false)));
    chart.update("none");
    if (history && forecasts.length > 0) chart.canvas.dataset.drawn = "true";
  }, [ready, chartRef, history, forecasts, actualColor]);

  return (
    <div>
      <div className="chart-box" data-state={error ? "error" : ready ? "ready" : "loading"}>
        <canvas ref={canvas} role="img" aria-label="Forecast versus actual chart" aria-describedby="accuracy-chart-summary" />
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
      </div>
      <p id="accuracy-chart-summary" className="visually-hidden">
        {summary}
      </p>
    </div>
  );
}

"use client";

import { useEffect, useRef, useState, useId } from "react";
import type { Chart as ChartType, Plugin } from "chart.js";
import type { MatrixDataPoint } from "chartjs-chart-matrix";
import { formatNumber } from "../../_lib/format";
import { heatColor, heatDomain, heatGradient, type HeatScale } from "./heatmapColors";

type Cell = MatrixDataPoint & { x: number; y: number; v: number };

export interface HeatmapProps {
  /** values[x][y]: x along the horizontal axis (e.g. the window's steps), y down the vertical (e.g. units) */
  values: number[][];
  xLabels: string[];
  yLabels: string[];
  xTitle: string;
  yTitle: string;
  scale: HeatScale;
  ariaLabel: string;
  /** id of the caption that describes the chart */
  describedBy: string;
  /** the hover text of one cell */
  describe: (x: number, y: number, v: number) => string;
  /** vertical lines before these x columns (e.g. between W_x, W_h and the bias) */
  separators?: number[];
  /** what the colours stand for, naming the legend ("Colour scale of the hidden state") */
  valueName: string;
}

/** Tick every `step` rows or columns, chosen so that about `target` labels show. */
function tickStep(n: number, target: number): number {
  for (const s of [1, 2, 4, 5, 8, 10, 12, 16, 20, 24, 32, 50, 64, 100]) if (n / s <= target) return s;
  return Math.ceil(n / target);
}

const separatorLines: Plugin<"matrix"> = {
  id: "tidecastSeparators",
  afterDatasetsDraw(chart, _args, opts: { at?: number[] }) {
    const at = opts.at ?? [];
    if (!at.length) return;
    const x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = "#17202a";
    ctx.lineWidth = 1.5;
    for (const col of at) {
      const px = x.getPixelForValue(col - 0.5);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
    }
    ctx.restore();
  },
};

/**
 * A heatmap (chartjs-chart-matrix): one cell per (x, y), its colour from a signed (blue–white–red,
 * symmetric around 0) or unit (0 to 1) scale shown in the legend under it, its value on hover.
 * The height follows the number of rows, so 64 units stay readable.
 */
export function Heatmap(props: HeatmapProps) {
  const { values, xLabels, yLabels, xTitle, yTitle, scale, ariaLabel, describedBy, separators, valueName } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<ChartType<"matrix", Cell[]> | null>(null);
  const propsRef = useRef(props);
  useEffect(() => {
    propsRef.current = props; // the tooltip callback reads the latest props
  });
  const scaleId = useId();
  const [ready, setReady] = useState(false);
  const nx = values.length, ny = values[0]?.length ?? 0;
  const [lo, hi] = heatDomain(scale, values);

  useEffect(() => {
    let cancelled = false;
    void import("./anatomy-setup").then(({ Chart }) => {
      if (cancelled || !canvas.current) return;
      chartRef.current = new Chart<"matrix", Cell[]>(canvas.current, {
        type: "matrix",
        data: { datasets: [] },
        plugins: [separatorLines],
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              displayColors: false,
              callbacks: {
                title: () => "",
                label: (item) => {
                  const c = item.raw as Cell;
                  return propsRef.current.describe(c.x, c.y, c.v);
                },
              },
            },
          },
          scales: {
            x: { type: "linear", offset: false, grid: { display: false }, border: { display: false } },
            y: { type: "linear", offset: false, reverse: true, grid: { display: false }, border: { display: false } },
          },
        },
      });
      setReady(true);
    });
    return () => {
      cancelled = true;
      chartRef.current?.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!ready || !chart) return;
    const cells: Cell[] = [];
    for (let x = 0; x < nx; x++) for (let y = 0; y < ny; y++) cells.push({ x, y, v: values[x][y] });
    chart.data.datasets = [
      {
        label: ariaLabel,
        data: cells,
        borderWidth: 0,
        backgroundColor: (c) => heatColor(scale, lo, hi, (c.raw as Cell | undefined)?.v ?? 0),
        // A hair wider than the grid step, so antialiasing leaves no seams between cells.
        width: ({ chart: ch }) => (ch.chartArea ? ch.chartArea.width / nx + 0.6 : 0),
        height: ({ chart: ch }) => (ch.chartArea ? ch.chartArea.height / ny + 0.6 : 0),
      },
    ];
    // Ticks on whole cells (every few, so the labels never overlap), labelled by the caller's names.
    const at = (n: number, step: number) => Array.from({ length: Math.ceil(n / step) }, (_, i) => ({ value: i * step }));
    const sx = tickStep(nx, 8), sy = tickStep(ny, 16);
    const opts = chart.options;
    if (opts.scales?.x && opts.scales.y) {
      Object.assign(opts.scales.x, {
        min: -0.5,
        max: nx - 0.5,
        title: { display: true, text: xTitle },
        afterBuildTicks: (scale: { ticks: { value: number }[] }) => void (scale.ticks = at(nx, sx)),
        ticks: { autoSkip: false, maxRotation: 0, callback: (v: number | string) => xLabels[Number(v)] ?? "" },
      });
      Object.assign(opts.scales.y, {
        min: -0.5,
        max: ny - 0.5,
        title: { display: true, text: yTitle },
        afterBuildTicks: (scale: { ticks: { value: number }[] }) => void (scale.ticks = at(ny, sy)),
        ticks: { autoSkip: false, callback: (v: number | string) => yLabels[Number(v)] ?? "" },
      });
    }
    (opts.plugins as Record<string, unknown>).tidecastSeparators = { at: separators ?? [] };
    chart.update("none");
    if (cells.length > 0) chart.canvas.dataset.drawn = "true";
  }, [ready, values, xLabels, yLabels, xTitle, yTitle, scale, lo, hi, nx, ny, ariaLabel, separators]);

  // About 5 px per row at 64 units, never cramped for a few.
  const height = Math.min(460, Math.max(200, ny * 5 + 90));
  return (
    <div className="tc-heatmap">
      <div className="chart-box" style={{ height }} data-state={ready ? "ready" : "loading"} data-cells={nx * ny}>
        <canvas ref={canvas} role="img" aria-label={ariaLabel} aria-describedby={describedBy} />
      </div>
      <div className="tc-colorbar-row" role="img" aria-label={`Colour scale of the ${valueName}`} aria-describedby={scaleId}>
        <span id={scaleId} hidden>{`from ${formatNumber(lo)} to ${formatNumber(hi)}`}</span>
        <span className="tc-small subtle">{formatNumber(lo)}</span>
        <span className="tc-colorbar" style={{ background: heatGradient(scale) }} />
        <span className="tc-small subtle">{formatNumber(hi)}</span>
        <span className="tc-small subtle">{scale === "signed" ? "blue negative · white 0 · red positive" : "0 closed · 1 open"}</span>
      </div>
    </div>
  );
}

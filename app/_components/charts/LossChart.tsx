"use client";

import { useEffect, useRef, useState } from "react";
import type { ChartDataset, Plugin } from "chart.js";
import { useChart } from "./useChart";
import { isFirstOfGroup, setGroupVisible } from "./legend";

export interface LossCurve {
  /** e.g. "Run #4" (compare mode) or "" for a single run */
  runLabel: string;
  member: number;
  epochs: { epoch: number; trainLoss: number; valLoss: number | null }[];
  trainColor: string;
  valColor: string;
  dashed?: boolean;
  /** an earlier fit of the run (a candidate of the model search): drawn faint, one legend entry for all */
  faded?: boolean;
  /** the legend name of this curve's training loss when it is not plain "training" (the final refit) */
  trainLabel?: string;
}

type XY = { x: number; y: number | null };

/** Draws a dashed vertical line at the best (early-stopping) epoch, with its label. */
const bestEpochLine: Plugin<"line"> = {
  id: "tidecastBestEpoch",
  afterDatasetsDraw(chart, _args, opts: { epoch?: number | null; color?: string }) {
    if (opts.epoch === null || opts.epoch === undefined) return;
    const x = chart.scales.x;
    const area = chart.chartArea;
    const px = x.getPixelForValue(opts.epoch);
    if (!(px >= area.left && px <= area.right)) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.color ?? "#1d7a46";
    ctx.fillStyle = opts.color ?? "#1d7a46";
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(px, area.top);
    ctx.lineTo(px, area.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = "12px system-ui, sans-serif";
    const text = `best epoch ${opts.epoch}`;
    const w = ctx.measureText(text).width;
    ctx.fillText(text, Math.min(px + 4, area.right - w - 2), area.top + 12);
    ctx.restore();
  },
};

/**
 * Training and validation loss per epoch of one run (or two, to compare), updated in place as
 * epochs arrive, with a log-scale toggle and the early-stopping epoch marked. An ensemble run
 * draws one pair of curves per member; the legend groups them into "training" and "validation".
 */
export function LossChart({ curves, bestEpoch, caption }: { curves: LossCurve[]; bestEpoch: number | null; caption: string }) {
  const groupsRef = useRef<string[]>([]);
  const namesRef = useRef<string[]>([]);
  const [log, setLog] = useState(false);

  const { canvas, chart: chartRef, ready } = useChart(
    () => import("./setup"),
    ({ Chart }, el) =>
      new Chart<"line", XY[]>(el, {
        type: "line",
        data: { datasets: [] },
        plugins: [bestEpochLine],
        options: {
          animation: false,
          parsing: false,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: {
            x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { precision: 0 }, grid: { color: "#eef1f4" } },
            y: { type: "linear", title: { display: true, text: "loss (MSE, scaled)" }, grid: { color: "#eef1f4" } },
          },
          plugins: {
            legend: {
              position: "bottom",
              labels: {
                boxWidth: 14,
                boxHeight: 10,
                filter: (item) => isFirstOfGroup(item, groupsRef.current),
              },
              onClick: (_e, item, legend) => {
                const i = item.datasetIndex ?? -1;
                if (i < 0) return;
                setGroupVisible(legend.chart, groupsRef.current, groupsRef.current[i], !legend.chart.isDatasetVisible(i));
              },
            },
            tooltip: {
              callbacks: {
                label: (item) =>
                  `${namesRef.current[item.datasetIndex] ?? item.dataset.label}: ${typeof item.parsed.y === "number" ? item.parsed.y.toPrecision(4) : "—"}`,
              },
            },
          },
        },
      }),
  );

  useEffect(() => {
    const chart = chartRef.current;
    if (!ready || !chart) return;
    const datasets: ChartDataset<"line", XY[]>[] = [];
    const groups: string[] = [];
    const names: string[] = [];
    const fade = (hex: string) => `${hex}55`;
    for (const c of curves) {
      const prefix = c.runLabel ? `${c.runLabel} ` : "";
      const train = c.epochs.map((e) => ({ x: e.epoch, y: e.trainLoss > 0 || !log ? e.trainLoss : null }));
      const val = c.epochs.map((e) => ({ x: e.epoch, y: e.valLoss !== null && (e.valLoss > 0 || !log) ? e.valLoss : null }));
      const points = c.epochs.length <= 40 && !c.faded ? 2 : 0;
      for (const [kind, data, color] of [
        ["training", train, c.trainColor],
        ["validation", val, c.valColor],
      ] as const) {
        if (kind === "validation" && !data.some((p) => p.y !== null)) continue;
        const name = kind === "training" && c.trainLabel ? c.trainLabel : kind;
        const group = c.faded ? `${prefix}earlier fits` : `${prefix}${name}`;
        datasets.push({
          label: group,
          data,
          borderColor: c.faded ? fade(color) : color,
          backgroundColor: c.faded ? fade(color) : color,
          borderWidth: c.faded ? 1 : 2,
          borderDash: c.dashed ? [5, 3] : undefined,
          pointRadius: points,
        });
        groups.push(group);
        names.push(c.faded ? `${prefix}earlier fit ${c.member} ${kind}` : `${prefix}${name}`);
      }
    }
    namesRef.current = names;
    groupsRef.current = groups;
    chart.data.datasets = datasets;
    const y = chart.options.scales?.y;
    // eslint-disable-next-line react-hooks/immutability -- chart.js is driven by changing its options in place, then chart.update()
    if (y) y.type = log ? "logarithmic" : "linear";
    const plugins = chart.options.plugins as Record<string, unknown>;
    plugins.tidecastBestEpoch = { epoch: bestEpoch, color: "#1d7a46" };
    chart.update("none"); // synchronous draw (no animation)
    if (datasets.length > 0 && chart.canvas.dataset.drawn !== "true") {
      chart.canvas.dataset.drawn = "true";
      performance.mark("tidecast:loss-chart-drawn"); // load-time measurements
    }
  }, [ready, chartRef, curves, bestEpoch, log]);

  const epochCount = curves.reduce((n, c) => n + c.epochs.length, 0);
  return (
    <figure className="tc-figure">
      <div className="chart-box" data-state={ready ? "ready" : "loading"} data-epochs={epochCount}>
        <canvas ref={canvas} role="img" aria-label="Training loss chart" aria-describedby="loss-caption" />
        {ready && epochCount === 0 && <p className="subtle tc-chart-note">No epochs.</p>}
      </div>
      <figcaption className="row tc-chart-tools" style={{ justifyContent: "space-between" }}>
        <span id="loss-caption" className="subtle" aria-live="polite">
          {caption}
        </span>
        <label className="tc-check">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
      </figcaption>
    </figure>
  );
}

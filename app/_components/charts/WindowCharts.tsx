"use client";

import { useEffect, useRef, useState } from "react";
import type { Chart as ChartType, ChartDataset } from "chart.js";
import { formatNumber } from "../../_lib/format";

/** One column of a window (the value, a position feature, a covariate) over its steps. */
export interface WindowSeries {
  name: string;
  color: string;
  values: number[];
  /** drawn thin and dashed (position features beside the value) */
  minor?: boolean;
}

interface Props {
  labels: string[];
  series: WindowSeries[];
  ariaLabel: string;
  describedBy: string;
  yTitle: string;
  height?: number;
}

/**
 * A chart over the steps of an input window: "line" draws the window's columns (the scaled value
 * and the position features), "bars" stacks each column's contribution per step (attributions,
 * positive up and negative down).
 */
function WindowChart({ kind, labels, series, ariaLabel, describedBy, yTitle, height = 260 }: Props & { kind: "line" | "bars" }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<ChartType<"bar" | "line", number[], string> | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void import("./anatomy-setup").then(({ Chart }) => {
      if (cancelled || !canvas.current) return;
      chartRef.current = new Chart<"bar" | "line", number[], string>(canvas.current, {
        type: kind === "bars" ? "bar" : "line",
        data: { labels: [], datasets: [] },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { type: "category", stacked: kind === "bars", grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
            y: { stacked: kind === "bars", grid: { color: "#eef1f4" }, title: { display: true, text: yTitle } },
          },
          plugins: {
            legend: { position: "bottom", labels: { boxWidth: 14, boxHeight: 10 } },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y, 4)}` } },
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
  }, [kind, yTitle]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!ready || !chart) return;
    chart.data.labels = labels;
    chart.data.datasets = series.map(
      (s): ChartDataset<"bar" | "line", number[]> =>
        kind === "bars"
          ? { type: "bar", label: s.name, data: s.values, backgroundColor: s.color, borderWidth: 0, stack: "all" }
          : {
              type: "line",
              label: s.name,
              data: s.values,
              borderColor: s.color,
              backgroundColor: s.color,
              borderWidth: s.minor ? 1.25 : 2.25,
              borderDash: s.minor ? [4, 3] : undefined,
              pointRadius: labels.length <= 60 && !s.minor ? 2 : 0,
            },
    );
    chart.update("none");
    if (series.length > 0) chart.canvas.dataset.drawn = "true";
  }, [ready, labels, series, kind]);

  return (
    <div className="chart-box" style={{ height }} data-state={ready ? "ready" : "loading"}>
      <canvas ref={canvas} role="img" aria-label={ariaLabel} aria-describedby={describedBy} />
    </div>
  );
}

export function InputWindowChart(props: Props) {
  return <WindowChart kind="line" {...props} />;
}

export function AttributionChart(props: Props) {
  return <WindowChart kind="bars" {...props} />;
}

"use client";

import { useEffect, useRef, useState } from "react";
import type { Chart as ChartType } from "chart.js";
import type { PointsPayload } from "./setup";

/**
 * The series' history on a time axis; LTTB decimation keeps a million points smooth. Pass
 * `points` when the page already loaded them (null while loading); without it the chart fetches
 * the series itself.
 */
export function HistoryChart({ seriesId, name, points }: { seriesId: number; name: string; points?: PointsPayload | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "error">("loading");
  const [message, setMessage] = useState("");

  useEffect(() => {
    if (points === null) return; // the page is still loading them
    let chart: ChartType<"line", { x: number; y: number | null }[]> | null = null; // typed: chartjs-chart-matrix widens the default
    let cancelled = false;
    (async () => {
      const load = async (): Promise<PointsPayload> => {
        const res = await fetch(`/api/series/${seriesId}`);
        if (!res.ok) throw new Error(`The series could not be loaded (HTTP ${res.status}).`);
        return ((await res.json()) as { points: PointsPayload }).points;
      };
      const [{ Chart, toXY }, data] = await Promise.all([import("./setup"), points ?? load()]);
      if (cancelled || !canvas.current) return;
      chart = new Chart(canvas.current, {
        type: "line",
        data: {
          datasets: [
            {
              label: name,
              data: toXY(data),
              borderColor: "#0b6bcb",
              backgroundColor: "rgba(11,107,203,0.08)",
              borderWidth: 1.5,
              pointRadius: 0,
              spanGaps: false,
            },
          ],
        },
        options: {
          animation: false,
          parsing: false,
          normalized: true,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: { x: { type: "time", ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: false } },
          plugins: {
            decimation: { enabled: true, algorithm: "lttb", samples: 1500, threshold: 3000 },
            legend: { display: false },
          },
        },
      });
      canvas.current.dataset.drawn = "true";
      performance.mark("tidecast:history-chart-drawn"); // load-time measurements
      setState("ready");
    })().catch((err: Error) => {
      setMessage(err.message);
      setState("error");
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [seriesId, name, points]);

  return (
    <div className="chart-box" data-state={state}>
      <canvas ref={canvas} role="img" aria-label="History chart" />
      {state === "loading" && <p className="subtle">Loading the history…</p>}
      {state === "error" && (
        <p className="error-box" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

"use client";

import { useEffect, useRef, useState } from "react";
import type { Chart as ChartType } from "chart.js";

/** The series' history on a time axis; LTTB decimation keeps a million points smooth. */
export function HistoryChart({ seriesId, name }: { seriesId: number; name: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "error">("loading");
  const [message, setMessage] = useState("");

  useEffect(() => {
    let chart: ChartType | null = null;
    let cancelled = false;
    (async () => {
      const [{ Chart, toXY }, res] = await Promise.all([import("./setup"), fetch(`/api/series/${seriesId}`)]);
      if (!res.ok) throw new Error(`The series could not be loaded (HTTP ${res.status}).`);
      const body = (await res.json()) as { points: { ts: number[]; value: (number | null)[] } };
      if (cancelled || !canvas.current) return;
      chart = new Chart(canvas.current, {
        type: "line",
        data: {
          datasets: [
            {
              label: name,
              data: toXY(body.points),
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
      setState("ready");
    })().catch((err: Error) => {
      setMessage(err.message);
      setState("error");
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [seriesId, name]);

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

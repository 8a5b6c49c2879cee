import {
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  TimeScale,
  Tooltip,
} from "chart.js";
import "chartjs-adapter-date-fns";

// Register once what the charts use (tree-shaken chart.js) and the date-fns adapter for time axes.
Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, TimeScale, Tooltip, Legend, Filler, Decimation);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
Chart.defaults.color = "#5d6b7a";

export { Chart };

/** The series' points as the API sends them (columns). */
export interface PointsPayload {
  ts: number[];
  value: (number | null)[];
}

/** Chart.js data without re-parsing: {x, y} with numeric x, NaN-free (null breaks the line). */
export function toXY(points: PointsPayload): { x: number; y: number | null }[] {
  const out = new Array<{ x: number; y: number | null }>(points.ts.length);
  for (let i = 0; i < points.ts.length; i++) out[i] = { x: points.ts[i], y: points.value[i] };
  return out;
}


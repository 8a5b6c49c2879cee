import type {} from "chartjs-plugin-zoom"; // type augmentation only: Chart#zoom, resetZoom, options.plugins.zoom
import { Chart } from "./setup";

let registered: Promise<void> | null = null;

/**
 * Registers chartjs-plugin-zoom once, in the browser only: the plugin pulls in hammerjs, which
 * touches `window` when it loads, so it must never be imported during server rendering.
 */
export function registerZoom(): Promise<void> {
  registered ??= import("chartjs-plugin-zoom").then((m) => {
    Chart.register(m.default);
  });
  return registered;
}

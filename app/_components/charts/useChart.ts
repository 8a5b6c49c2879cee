"use client";

import { useEffect, useRef, useState, type RefObject } from "react";

/**
 * One chart.js instance on a canvas for as long as the component is mounted. chart.js (and its
 * plugins) load lazily so the page paints first: `load` imports them, `make` builds the chart on
 * the canvas once they are there. `chart.current` is null until `ready` (effects that fill the
 * chart depend on it), and a failed load is `error`. The chart is made once, from the first render's `make`: its
 * callbacks read the component's refs, not its props.
 */
export function useChart<M, C extends { destroy(): void }>(
  load: () => Promise<M>,
  make: (module: M, canvas: HTMLCanvasElement) => C,
): { canvas: RefObject<HTMLCanvasElement | null>; chart: RefObject<C | null>; ready: boolean; error: string } {
  const canvas = useRef<HTMLCanvasElement>(null);
  const first = useRef({ load, make });
  const chart = useRef<C | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    let cancelled = false;
    first.current.load().then(
      (module) => {
        // Checked before making: a canvas holds one chart, and a cancelled mount's must not exist.
        if (cancelled || !canvas.current) return;
        chart.current = first.current.make(module, canvas.current);
        setReady(true);
      },
      (err: unknown) => {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  return { canvas, chart, ready, error };
}

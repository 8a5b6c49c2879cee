import type { Locator } from "@playwright/test";

/**
 * What a test counts on a chart's canvas:
 * - painted: any colour (not blank, not near-white);
 * - band: the forecast band tint, orange at low alpha over white (95% alone ≈ (251,235,229), 80%
 *   inside it ≈ (243,196,177), both semi-transparent on the canvas);
 * - forecast: the first forecast's colour (#d9480f), its line and bands.
 */
export type PixelKind = "painted" | "band" | "forecast";

/** How many of the canvas's pixels are of that kind. */
export async function countPixels(canvas: Locator, kind: PixelKind): Promise<number> {
  // The tests live in the page (evaluate sends the function's source), so they are spelt out here.
  return canvas.evaluate((el, k) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext("2d");
    if (!ctx || c.width === 0) return 0;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const is: Record<PixelKind, (r: number, g: number, b: number, a: number) => boolean> = {
      painted: (r, g, b, a) => a > 100 && Math.min(r, g, b) < 215,
      band: (r, g, b, a) => (a > 0 && a < 140 && r > 150 && r - b > 20 && g > 40) || (a >= 140 && r > 230 && g > 180 && g < 245 && b > 160 && b < 236 && r - b > 12),
      forecast: (r, g, b, a) => a > 0 && r > 150 && r - b > 40 && g < r - 20,
    };
    const test = is[k];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (test(data[i], data[i + 1], data[i + 2], data[i + 3])) n++;
    return n;
  }, kind);
}

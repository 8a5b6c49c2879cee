import path from "node:path";
import type { Locator } from "@playwright/test";
import { expect, test } from "./fixtures";
import { screenshot } from "./screenshots";

const STOCKS = path.join(process.cwd(), "node_modules", "vega-datasets", "data", "stocks.csv");

/** True when the canvas has non-blank pixels: the chart really painted, not just mounted. */
async function isPainted(canvas: Locator): Promise<boolean> {
  return canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext("2d");
    if (!ctx || c.width === 0 || c.height === 0) return false;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked++;
    return inked > 500;
  });
}

test("upload a real CSV, open a series and see its history chart", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Upload CSV").setInputFiles(STOCKS);
  await expect(page.getByRole("status")).toContainText('Imported "stocks": 5 series');

  const dataset = page.getByRole("region", { name: "Dataset stocks" });
  await expect(dataset.getByRole("link", { name: "AAPL" })).toBeVisible();
  await expect(dataset.getByRole("row", { name: /AAPL/ })).toContainText("Monthly");

  await dataset.getByRole("link", { name: "AAPL" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "AAPL" })).toBeVisible();
  const chart = page.getByRole("img", { name: "History chart" });
  await expect(chart).toBeVisible();
  await expect.poll(() => isPainted(chart)).toBe(true);
  await expect(page.getByRole("region", { name: "Series statistics" })).toContainText("123"); // AAPL has 123 monthly closes

  await screenshot(page, "series-history.png", { fullPage: true });
});

test("an upload error is shown next to the drop zone with the rows at fault", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Upload CSV").setInputFiles({
    name: "broken.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("date,close\n2024-01-01,1\n2024-01-02,oops\n2024-01-03,3\n2024-01-04,4\n"),
  });
  // Next.js has its own (empty) route announcer alert: pick ours by its text.
  const alert = page.getByRole("alert").filter({ hasText: "The file was not imported" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("Row: 3");
  await expect(alert).toContainText("Column: close");
  await expect(page.getByRole("region", { name: "Dataset broken" })).toHaveCount(0);
});

test("load sample data imports the vega-datasets stock prices", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Load sample data" }).click();
  await expect(page.getByRole("region", { name: "Dataset S&P 500 (vega-datasets)" })).toBeVisible();
  await screenshot(page, "datasets.png", { fullPage: true });
});

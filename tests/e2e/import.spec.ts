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

/** `n` days of one column, starting `from` days after 2024-01-01, value `v(day)`. */
function dailyCsv(column: string, from: number, n: number, v: (day: number) => number): Buffer {
  const lines = [`date,${column}`];
  for (let d = from; d < from + n; d++) lines.push(`${new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)},${v(d)}`);
  return Buffer.from(lines.join("\n") + "\n");
}

test("a same-named upload is a new dataset; Append to dataset… previews the points added and changed, then appends", async ({ page }) => {
  await page.goto("/");
  const status = page.getByRole("status").filter({ hasText: /Imported|Appended/ });
  await page.getByLabel("Upload CSV").setInputFiles({ name: "meter.csv", mimeType: "text/csv", buffer: dailyCsv("kwh", 0, 30, (d) => d) });
  await expect(status).toContainText('Imported "meter": 1 series, 30 new points');
  await page.getByLabel("Upload CSV").setInputFiles({ name: "meter.csv", mimeType: "text/csv", buffer: dailyCsv("kwh", 0, 30, (d) => d) });
  await expect(status).toContainText('Imported "meter (2)"');
  await expect(status).toContainText('A dataset named "meter" already exists');
  await expect(page.getByRole("region", { name: "Dataset meter (2)" })).toBeVisible();

  // Days 20..29 again, 25..29 with new values, and days 30..39: 10 added, 5 changed (by hand).
  const newer = dailyCsv("kwh", 20, 20, (d) => (d >= 25 && d < 30 ? d + 0.5 : d));
  await page.getByRole("button", { name: "Append to dataset…" }).click();
  const picker = page.getByRole("group", { name: "Append to dataset" });
  await picker.getByLabel("Dataset").selectOption("meter");
  await picker.getByLabel("CSV to append").setInputFiles({ name: "meter-newer.csv", mimeType: "text/csv", buffer: newer });
  const preview = page.getByRole("region", { name: "Append preview" });
  await expect(preview).toContainText("Appending meter-newer.csv to “meter” will add 10 points and change 5.");
  await expect(preview).toContainText("kwh: 10 added, 5 changed");
  const points = (dataset: string) => page.getByRole("region", { name: `Dataset ${dataset}`, exact: true }).getByRole("row", { name: /kwh/ }).getByRole("cell").nth(2);
  await page.reload(); // the preview stored nothing
  await expect(points("meter")).toHaveText("30");

  await page.getByRole("button", { name: "Append to dataset…" }).click();
  await picker.getByLabel("Dataset").selectOption("meter");
  await picker.getByLabel("CSV to append").setInputFiles({ name: "meter-newer.csv", mimeType: "text/csv", buffer: newer });
  await preview.getByRole("button", { name: "Append" }).click();
  await expect(status).toContainText('Appended meter-newer.csv to "meter": 10 points added, 5 changed.');
  await expect(points("meter")).toHaveText("40");
  await expect(points("meter (2)")).toHaveText("30");
});

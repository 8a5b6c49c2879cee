import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { screenshot } from "./screenshots";
import { countPixels } from "./helpers/pixels";

/**
 * Forecasts that keep score, in the browser against the production build and a real worker: a
 * tiny run forecasts the first part of a monthly series, the actual values that follow arrive far
 * outside its band; the series page draws the forecast over them and raises alerts, one is
 * acknowledged, and the overview lists the series as drifting with its sparkline.
 */

/** A monthly series with trend and season; from 2016 on the "actuals" jump far above anything forecast. */
function csv(months: number, jumpFrom = Number.POSITIVE_INFINITY): string {
  const lines = ["date,visits"];
  for (let t = 0; t < months; t++) {
    const d = new Date(Date.UTC(2008, t, 1)).toISOString().slice(0, 10);
    const v = 200 + 0.8 * t + 20 * Math.sin((2 * Math.PI * t) / 12) + 4 * Math.sin(t * 1.3) + (t >= jumpFrom ? 400 : 0);
    lines.push(`${d},${v.toFixed(3)}`);
  }
  return lines.join("\n") + "\n";
}

/** Uploads the CSV as a new dataset "visits-e2e" (201). */
async function uploadCsv(request: APIRequestContext, text: string): Promise<{ series: { id: number }[] }> {
  const res = await request.post("/api/datasets", { multipart: { name: "visits-e2e", file: { name: "visits.csv", mimeType: "text/csv", buffer: Buffer.from(text) } } });
  expect(res.status()).toBe(201);
  return res.json();
}


test.use({ timezoneId: "UTC" });

test("forecast versus actual drawn, an alert acknowledged, the overview painted", async ({ page }) => {
  test.setTimeout(150_000);
  const request = page.request; // the signed-in session of the browser context
  // 1. Eight years, a tiny forecast of the next 6 months (requested by hand: it becomes current).
  const first = await uploadCsv(request, csv(96));
  const seriesId = first.series[0].id;
  const started = await request.post(`/api/series/${seriesId}/runs`, { data: { model: "gru", epochs: 3, hiddenSize: 4, horizon: 6, lookback: 12, seed: 1 } });
  expect(started.status()).toBe(202);
  const runId = ((await started.json()) as { run: { id: number } }).run.id;
  await expect.poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { run: { status: string } }).run.status, { timeout: 90_000 }).toBe("succeeded");

  // 2. The next six months arrive through the home page's "Append to dataset…", far above the
  // forecast's bands. The preview (a dry run) scores and fires nothing; the append scores the
  // forecast and raises the drift and accuracy alerts, and says so.
  const alertKinds = async () =>
    ((await (await request.get(`/api/events?seriesId=${seriesId}&severity=alert`)).json()) as { events: { kind: string }[] }).events.map((e) => e.kind).sort();
  await page.goto("/");
  await page.getByRole("button", { name: "Append to dataset…" }).click();
  const picker = page.getByRole("group", { name: "Append to dataset" });
  await picker.getByLabel("Dataset").selectOption("visits-e2e");
  await picker.getByLabel("CSV to append").setInputFiles({ name: "visits-newer.csv", mimeType: "text/csv", buffer: Buffer.from(csv(102, 96)) });
  const preview = page.getByRole("region", { name: "Append preview" });
  await expect(preview).toContainText("will add 6 points and change 0.");
  expect(await alertKinds()).toEqual([]);
  await preview.getByRole("button", { name: "Append" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Appended" })).toContainText(
    /Appended visits-newer\.csv to "visits-e2e": 6 points added, 0 changed\. 1 stored forecast scored against the new values; 2 alerts raised \((drift, accuracy|accuracy, drift)\)\./,
  );
  expect(await alertKinds()).toEqual(["accuracy", "drift"]);

  // 3. The series page: the forecast drawn over the actuals, realised against promised in words.
  await page.goto(`/series/${seriesId}`);
  const chart = page.getByRole("img", { name: "Forecast versus actual chart" });
  await expect(chart).toHaveAccessibleDescription(/1 past forecast over the actual values; 1 with actuals\. The last 6 dates: MASE [\d.]+, 0% inside the 95% band\./);
  await expect.poll(() => countPixels(chart, "forecast")).toBeGreaterThan(300);
  await expect(page.getByRole("status", { name: "Realised accuracy" })).toContainText(/The last forecast was ([\d.]+ times as far off as|\d+% less accurate than) its backtest promised/);
  await expect(page.getByRole("region", { name: "Forecast vs actual" }).getByText("drifting", { exact: true })).toBeVisible();
  const runRow = page.getByRole("row", { name: `Run #${runId}`, exact: true });
  await expect(runRow.getByLabel(`Promotion of run #${runId}`)).toHaveText("Promoted: the series' first forecast");

  // 4. The drift alert is acknowledged on the series page.
  const alerts = page.getByRole("list", { name: "Series events" });
  const drift = alerts.getByRole("listitem").filter({ hasText: "fell outside the 95% band" });
  await expect(drift).toContainText("6 actual values in a row fell outside the 95% band");
  await screenshot(page.getByRole("region", { name: "Forecast vs actual" }), "forecast-vs-actual.png");
  await drift.getByRole("button", { name: /Acknowledge alert \d+/ }).click();
  await expect(drift).toContainText("acknowledged");
  await expect(drift.getByRole("button")).toHaveCount(0);

  // 5. The overview (linked from the home page): the series drifting, with its sparkline; the
  // accuracy alert still open on top, the drift one acknowledged.
  await page.goto("/");
  await page.getByRole("link", { name: "Overview of every series" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await page.getByLabel("Filter by name").fill("visits-e2e");
  await page.getByRole("button", { name: "Filter" }).click();
  const row = page.getByRole("row", { name: "Series visits" });
  await expect(row).toContainText("drifting");
  await expect(row).toContainText(`#${runId} gru`);
  await expect(row.getByRole("img", { name: /Sparkline of the newest 48 values of visits/ })).toBeVisible();
  expect(await row.locator("polyline").count()).toBeGreaterThan(0);
  const open = page.getByRole("list", { name: "Unacknowledged alerts" });
  await expect(open.getByRole("listitem").filter({ hasText: "as far off as its backtest promised" })).toBeVisible();
  await expect(open.getByRole("listitem").filter({ hasText: "fell outside the 95% band" })).toHaveCount(0);
  await page.getByRole("link", { name: "Show drifting series" }).click();
  await expect(page.getByRole("row", { name: "Series visits" })).toBeVisible();
  await screenshot(page, "overview.png", { fullPage: true });
});

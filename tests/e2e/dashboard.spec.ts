import fs from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { screenshot } from "./screenshots";
import { countPixels } from "./helpers/pixels";

/**
 * The series page end to end, against the production build with a real worker: upload, train a
 * small model and see its forecast with bands, export it, schedule retraining, watch a longer
 * run's loss curve grow live and cancel it.
 */

/** 10 years of a monthly series with trend and season (deterministic). */
function monthlyCsv(): string {
  const lines = ["date,sales"];
  for (let t = 0; t < 120; t++) {
    const d = new Date(Date.UTC(2010, t, 1)).toISOString().slice(0, 10);
    const v = 100 + 0.4 * t + 12 * Math.sin((2 * Math.PI * t) / 12) + 3 * Math.sin(t * 1.7);
    lines.push(`${d},${v.toFixed(3)}`);
  }
  return lines.join("\n") + "\n";
}


async function trainRun(page: Page, settings: Record<string, string>, model: string): Promise<number> {
  const form = page.getByRole("form", { name: "Train a model" });
  await form.getByLabel("Model", { exact: true }).selectOption({ label: model });
  for (const [label, value] of Object.entries(settings)) await form.getByLabel(label, { exact: true }).fill(value);
  const notice = page.getByRole("status").filter({ hasText: /Run #\d+ queued/ });
  const before = (await notice.count()) > 0 ? await notice.textContent() : null;
  await form.getByRole("button", { name: "Train model" }).click();
  await expect(notice).toBeVisible();
  if (before !== null) await expect(notice).not.toHaveText(before);
  return Number(/#(\d+)/.exec((await notice.textContent()) ?? "")?.[1]);
}

test.use({ timezoneId: "UTC" });

test("series dashboard: train, forecast with bands, export, schedule, live loss and cancel", async ({ page }) => {
  test.setTimeout(240_000);

  await page.goto("/");
  await page.getByLabel("Upload CSV").setInputFiles({ name: "tidesales.csv", mimeType: "text/csv", buffer: Buffer.from(monthlyCsv()) });
  await expect(page.getByRole("status")).toContainText('Imported "tidesales"');
  await page.getByRole("region", { name: "Dataset tidesales" }).getByRole("link", { name: "sales" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "sales" })).toBeVisible();

  // The form validates with the API's schema and says what is wrong next to the field.
  const form = page.getByRole("form", { name: "Train a model" });
  await expect(form.getByLabel("Horizon", { exact: true })).toHaveValue("12"); // monthly default
  await form.getByLabel("Lookback", { exact: true }).fill("1");
  await expect(form.getByLabel("Lookback", { exact: true })).toHaveAccessibleDescription("Lookback must be at least 2 steps");
  await form.getByLabel("Learning rate", { exact: true }).fill("abc");
  await form.getByRole("button", { name: "Train model" }).click();
  await expect(form.getByLabel("Learning rate", { exact: true })).toHaveAccessibleDescription("Learning rate must be a number");
  await expect(page.getByRole("table", { name: "Runs" })).toHaveCount(0); // nothing was submitted

  // A small training run: it finishes, and its forecast is drawn with the interval bands.
  const small = await trainRun(page, { Lookback: "12", Horizon: "6", "Hidden size": "4", Layers: "1", Epochs: "8", "Learning rate": "0.01", "Batch size": "16", Seed: "7" }, "GRU");
  const smallRow = page.getByRole("row", { name: `Run #${small}`, exact: true });
  await expect(smallRow).toContainText("Succeeded", { timeout: 120_000 });
  await expect(smallRow).toContainText("current");

  const forecast = page.getByRole("img", { name: "Forecast chart" });
  await expect(forecast).toHaveAccessibleDescription(/Forecast \(run #\d+, current\): 6 steps with 80% and 95% intervals/);
  await expect(forecast).toHaveAccessibleDescription(/Backtest on \d+ holdout points/);
  await expect.poll(() => countPixels(forecast, "band")).toBeGreaterThan(800);

  const loss = page.getByRole("img", { name: "Training loss chart" });
  await expect(loss).toHaveAccessibleDescription(new RegExp(`Run #${small} succeeded: \\d+ epochs recorded`));
  await expect(page.getByRole("status", { name: "Verdict" })).toContainText(/the model (beats|does not beat) seasonal naive/);
  const metrics = page.getByRole("table", { name: `Holdout metrics of run #${small}` });
  for (const name of ["Naive", "Seasonal naive", "Naive2"]) await expect(metrics.getByRole("rowheader", { name, exact: true })).toBeVisible();
  await screenshot(page, "series-page.png", { fullPage: true });

  // Export CSV: the current forecast, one row per step, ISO dates, bands in order.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toBe(`sales-run-${small}-forecast.csv`);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(csv[0]).toBe("series,date,step,forecast,lo80,hi80,lo95,hi95,model,run,created");
  expect(csv).toHaveLength(7);
  const dates = ["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01"];
  csv.slice(1).forEach((line, i) => {
    const [series, date, step, f, lo80, hi80, lo95, hi95, , run, created] = line.split(",");
    expect(series).toBe("sales");
    expect(date).toBe(dates[i]);
    expect(Number(step)).toBe(i + 1);
    expect(Number(lo95)).toBeLessThanOrEqual(Number(lo80));
    expect(Number(lo80)).toBeLessThanOrEqual(Number(f));
    expect(Number(f)).toBeLessThanOrEqual(Number(hi80));
    expect(Number(hi80)).toBeLessThanOrEqual(Number(hi95));
    expect(Number(run)).toBe(small);
    expect(new Date(created).toISOString()).toBe(created);
  });

  // A schedule: a preset saves with its next run time; a custom cron previews in plain English.
  const schedules = page.getByRole("region", { name: "Schedules" });
  await schedules.getByRole("radio", { name: "Custom cron" }).check();
  await schedules.getByLabel("Cron expression").fill("30 6 * * 1-5");
  await expect(schedules.getByText("Every weekday (Monday to Friday) at 06:30")).toBeVisible();
  await expect(schedules.getByRole("list", { name: "Next run times" }).getByRole("listitem")).toHaveCount(5);
  await schedules.getByLabel("Cron expression").fill("61 * * * *");
  await expect(schedules.getByLabel("Cron expression")).toHaveAttribute("aria-invalid", "true");
  await schedules.getByRole("radio", { name: "Every Monday at 07:00" }).check();
  await schedules.getByLabel("Time zone").fill("UTC");
  await schedules.getByRole("button", { name: "Save schedule" }).click();
  const saved = schedules.getByRole("list", { name: "Schedules" }).getByRole("listitem").first();
  await expect(saved).toContainText("Every Monday at 07:00");
  await expect(saved).toContainText(/Next run: Mon,? \d{2} \w{3} \d{4}/);

  // A long run: the loss chart receives epochs while it trains, then we cancel it.
  const long = await trainRun(page, { Lookback: "24", Horizon: "6", "Hidden size": "32", Layers: "2", Epochs: "2000", "Learning rate": "0.00001", "Batch size": "1", Seed: "3" }, "LSTM");
  const training = new RegExp(`Run #${long} training: epoch \\d+ of 2000.* · (\\d+) epochs recorded`);
  const recorded = async () => {
    const text = await loss.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby") ?? "")?.textContent ?? "");
    const m = training.exec(text);
    return m ? Number(m[1]) : 0;
  };
  await expect.poll(recorded, { timeout: 90_000 }).toBeGreaterThan(0);
  const first = await recorded();
  await expect.poll(recorded, { timeout: 30_000 }).toBeGreaterThan(first);
  await expect(page.getByRole("progressbar", { name: `Run #${long} progress` })).toHaveAttribute("aria-valuetext", /Epoch \d+\/2000/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "series-training.png");
  await page.getByRole("button", { name: `Cancel run #${long}` }).click();
  await expect(page.getByRole("row", { name: `Run #${long}`, exact: true })).toContainText("Cancelled", { timeout: 30_000 });
  await expect(page.getByRole("row", { name: `Run #${small}`, exact: true })).toContainText("current");
});

test("a constant series: auto forecasts its value with bands of no width and trains no network", async ({ page }) => {
  test.setTimeout(120_000);
  const lines = ["date,level"];
  for (let t = 0; t < 48; t++) lines.push(`${new Date(Date.UTC(2015, t, 1)).toISOString().slice(0, 10)},42`);
  await page.goto("/");
  await page.getByLabel("Upload CSV").setInputFiles({ name: "stuck.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n") + "\n") });
  await expect(page.getByRole("status")).toContainText('Imported "stuck"');
  await page.getByRole("region", { name: "Dataset stuck" }).getByRole("link", { name: "level" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "level" })).toBeVisible();

  const run = await trainRun(page, {}, "Auto (pick the best on validation)");
  await expect(page.getByRole("row", { name: `Run #${run}`, exact: true })).toContainText("Succeeded", { timeout: 60_000 });
  await expect(page.getByRole("img", { name: "Training loss chart" })).toHaveAccessibleDescription(`Run #${run} succeeded without training a network: see its note.`);
  await expect(page.getByRole("status", { name: "Verdict" })).toHaveText("It ties with seasonal naive on the holdout (the same errors).");
  await expect(page.getByText(/^Every value of the series is 42, so the forecast is that value/)).toBeVisible();
  const anatomy = page.getByRole("region", { name: "Model anatomy" });
  await expect(anatomy).toContainText(`Run #${run} trained no network, so there is no model to look inside (see the run's note).`);
  await expect(anatomy.getByRole("alert")).toHaveCount(0); // no fault: nothing to open

  // The export carries the value and bands of no width at every step.
  const res = await page.request.get(`/api/series/${/\/series\/(\d+)/.exec(page.url())![1]}/forecast.json`);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { rows: { forecast: number; lo80: number; hi80: number; lo95: number; hi95: number }[] };
  expect(body.rows).toHaveLength(12);
  for (const r of body.rows) expect([r.forecast, r.lo80, r.hi80, r.lo95, r.hi95]).toEqual([42, 42, 42, 42, 42]);
});

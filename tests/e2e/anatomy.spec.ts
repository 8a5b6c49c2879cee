import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { screenshot } from "./screenshots";
import { countPixels } from "./helpers/pixels";

/**
 * The "Model anatomy" panel in a real browser, for an LSTM run (64 units, so the heatmaps are
 * seen at the size they must stay readable at) and a GRU run, both trained briefly by the real
 * worker: the four charts are painted, the gate, weight and step selectors redraw them, and the
 * completeness identity is shown under the attribution chart.
 */

/** Eight years of a monthly series with trend and season (deterministic). */
function monthlyCsv(): string {
  const lines = ["date,visitors"];
  for (let t = 0; t < 96; t++) {
    const d = new Date(Date.UTC(2012, t, 1)).toISOString().slice(0, 10);
    lines.push(`${d},${(200 + 0.8 * t + 30 * Math.sin((2 * Math.PI * t) / 12) + 5 * Math.sin(t * 1.3)).toFixed(3)}`);
  }
  return lines.join("\n") + "\n";
}


async function trainRun(request: APIRequestContext, seriesId: number, config: Record<string, unknown>): Promise<number> {
  const res = await request.post(`/api/series/${seriesId}/runs`, { data: config });
  expect(res.status()).toBe(202);
  const id = ((await res.json()) as { run: { id: number } }).run.id;
  await expect
    .poll(async () => ((await (await request.get(`/api/runs/${id}`)).json()) as { run: { status: string } }).run.status, { timeout: 120_000, intervals: [500] })
    .toBe("succeeded");
  return id;
}

const CHARTS = ["Hidden state heatmap", "Gate activations heatmap", "Recurrent weights heatmap", "Input attribution chart"];

async function expectPainted(panel: Locator, names: string[], minPixels: number): Promise<void> {
  for (const name of names) {
    const chart = panel.getByRole("img", { name, exact: true });
    await expect(chart).toHaveAttribute("data-drawn", "true");
    await expect.poll(() => countPixels(chart, "painted"), { message: `${name} is painted` }).toBeGreaterThan(minPixels);
  }
}

/** The identity under the attribution chart, read as a person would: Σ = f(x) − f(baseline), to the digits shown. */
async function expectIdentityHolds(identity: Locator): Promise<void> {
  const text = (await identity.textContent()) ?? "";
  const m = /Σ attributions = (-?[\d.]+)\s+=\s+f\(x\) − f\(baseline\) = (-?[\d.]+) − \(?(-?[\d.]+)\)? = (-?[\d.]+)/.exec(text);
  expect(m, text).not.toBeNull();
  const [sum, fx, fb, diff] = m!.slice(1).map(Number);
  expect(Math.abs(fx - fb - diff)).toBeLessThan(2e-4);
  expect(Math.abs(sum - diff)).toBeLessThanOrEqual(0.01 * Math.abs(diff) + 2e-4);
}

async function openRun(page: Page, runId: number): Promise<Locator> {
  await page.getByRole("button", { name: `Show run #${runId}`, exact: true }).click();
  const panel = page.getByRole("region", { name: "Model anatomy" });
  await expect(panel.getByRole("heading", { name: `Model anatomy · run #${runId}` })).toBeVisible();
  return panel;
}

test.use({ timezoneId: "UTC" });

test("model anatomy: the four charts of an LSTM and a GRU run, with selectors and the completeness identity", async ({ page }) => {
  const request = page.request; // the signed-in session of the browser context
  test.setTimeout(240_000);
  const upload = await request.post("/api/datasets", { multipart: { file: { name: "visitors.csv", mimeType: "text/csv", buffer: Buffer.from(monthlyCsv()) }, name: "anatomy" } });
  expect(upload.status()).toBe(201);
  const seriesId = ((await upload.json()) as { series: { id: number }[] }).series[0].id;
  const lstm = await trainRun(request, seriesId, { model: "lstm", strategy: "direct", lookback: 24, horizon: 6, hiddenSize: 64, epochs: 3, seed: 1 });
  const gru = await trainRun(request, seriesId, { model: "gru", strategy: "recursive", lookback: 12, horizon: 4, hiddenSize: 8, epochs: 3, seed: 2 });

  await page.goto(`/series/${seriesId}`);

  // LSTM, 64 units.
  let panel = await openRun(page, lstm);
  await expectPainted(panel, CHARTS, 4000);
  await expect(panel.getByRole("img", { name: "Hidden state heatmap", exact: true })).toHaveAccessibleDescription(/hidden state h_t: the network's memory as it reads the 24 steps/);
  await expect(panel.getByRole("img", { name: "Gate activations heatmap", exact: true })).toHaveAccessibleDescription(/i_t = σ\(W_xi x_t \+ W_hi h_\{t−1\} \+ b_i\).*f_t = σ.*g_t = tanh.*o_t = σ/);
  // 4 gates × 64 units × (4 inputs + 64 units) + 2 biases × 256 = 17,920 recurrent; head 64 × 6 + 6 = 390; per step 24 × 17,920 + 390.
  await expect(panel.getByRole("img", { name: "Recurrent weights heatmap", exact: true })).toHaveAccessibleDescription(
    /18,310 parameters: all 24 steps share the recurrent 17,920; the head reads the last state \(390\)\. With its own weights at every step it would need 430,470/,
  );
  await expect(panel.getByRole("img", { name: "Colour scale of the hidden state" })).toHaveAccessibleDescription(/^from -?[\d.]+ to [\d.]+$/);
  await expect(panel.getByRole("img", { name: "Colour scale of the input gate i" })).toHaveAccessibleDescription("from 0 to 1");
  const identity = panel.getByRole("note", { name: "Completeness" });
  await expect(identity).toContainText("50 points");
  await expectIdentityHolds(identity);
  // A gate, a weight block and a step chosen: the charts redraw.
  await panel.getByLabel("Gate", { exact: true }).selectOption({ label: "forget gate f" });
  await expect(panel.getByRole("img", { name: "Gate activations heatmap", exact: true })).toHaveAccessibleDescription(/The forget gate f: how much of its old cell state/);
  await panel.getByLabel("Gate", { exact: true }).selectOption({ label: "cell state c" });
  await panel.getByLabel("Weights of gate").selectOption({ label: "output gate o" });
  await panel.getByLabel("Forecast step").selectOption({ label: "All steps" });
  await expect(panel.getByRole("img", { name: "Input attribution chart", exact: true })).toHaveAccessibleDescription(/Shown: all forecast steps together/);
  await expectIdentityHolds(identity);
  await expectPainted(panel, CHARTS, 4000);
  await screenshot(panel, "model-anatomy.png");

  // GRU, recursive.
  panel = await openRun(page, gru);
  await expect(panel.getByText("GRU recursive · 12-step window · 8 units")).toBeVisible();
  await expectPainted(panel, CHARTS, 1500);
  await expect(panel.getByRole("img", { name: "Gate activations heatmap", exact: true })).toHaveAccessibleDescription(/r_t = σ.*z_t = σ.*n_t = tanh\(W_xn x_t \+ b_n \+ r_t ⊙ \(W_hn h_\{t−1\} \+ b_hn\)\).*h_t = \(1 − z_t\) ⊙ n_t \+ z_t ⊙ h_\{t−1\}/);
  await expect(panel.getByLabel("Gate", { exact: true }).locator("option")).toHaveText(["reset gate r", "update gate z", "candidate n"]);
  // An earlier window: the slider moves the origin, and the panel says it is not the forecast's.
  await panel.getByRole("slider").fill("60");
  await expect(panel.getByRole("button", { name: "Back to the forecast's window" })).toBeVisible();
  await expectPainted(panel, CHARTS, 1500);
});

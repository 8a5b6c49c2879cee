import { expect, test } from "./fixtures";

/** The train form applies the server's training budget before it submits, and says the limits. */
test("the train form shows each field's limit and refuses a run that cannot fit before submitting", async ({ page }) => {
  const lines = ["date,units"];
  for (let t = 0; t < 111; t++) lines.push(`${new Date(Date.UTC(2012, t, 1)).toISOString().slice(0, 10)},${(200 + t + 20 * Math.sin((2 * Math.PI * t) / 12)).toFixed(1)}`);
  await page.getByLabel("Upload CSV").setInputFiles({ name: "budget.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n") + "\n") });
  await page.getByRole("region", { name: "Dataset budget" }).getByRole("link", { name: "units" }).click();
  const form = page.getByRole("form", { name: "Train a model" });
  const lookback = form.getByLabel("Lookback", { exact: true });
  // 111 points, horizon 12 (the monthly default): a lookback of at most 99.
  await expect(lookback).toHaveAccessibleDescription(/at most 99$/);
  await lookback.fill("1000");
  await expect(lookback).toHaveAccessibleDescription(/longer than the series \(111 points\): lookback can be at most 99\./);
  await lookback.fill("50");
  await form.getByLabel("Hidden size", { exact: true }).fill("512");
  await form.getByLabel("Layers", { exact: true }).fill("4");
  await form.getByLabel("Epochs", { exact: true }).fill("2000");
  const epochs = form.getByLabel("Epochs", { exact: true });
  await expect(epochs).toHaveAccessibleDescription(/TIDECAST_MAX_TRAINING_COST\): with the other settings as they are, epochs can be at most \d+\./);
  await form.getByRole("button", { name: "Train model" }).click();
  await expect(epochs).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("table", { name: "Runs" })).toHaveCount(0); // nothing was submitted
  // At the limit it names, the run is accepted.
  const limit = /epochs can be at most (\d+)/.exec((await page.locator("#train-epochs-error").textContent()) ?? "")?.[1];
  await epochs.fill(limit!);
  await expect(epochs).not.toHaveAttribute("aria-invalid", "true");
});

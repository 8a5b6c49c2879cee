import { E2E_PASSWORD, expect, signIn, test } from "./fixtures";
import { test as plain } from "@playwright/test";
import { startServer, type TestServer } from "./helpers/server";

/** Sign-in in the browser, and a cross-site page's forms against a real server. */

plain("sign in: a wrong password is refused next to the field, the right one opens the page asked for, Sign out ends it", async ({ page }) => {
  await page.goto("/series/1");
  await expect(page).toHaveURL(/\/login\?next=%2Fseries%2F1$/);
  await page.getByLabel("Password").fill("not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong password." })).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/series\/1$/);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "tidecast_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("signed in, the header has Sign out and the pages pass their CSP", async ({ page }) => {
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(1);
  await page.getByRole("button", { name: "Load sample data" }).click();
  await page.getByRole("region", { name: "Dataset S&P 500 (vega-datasets)" }).getByRole("link").first().click();
  await expect(page.getByRole("img", { name: "History chart" })).toBeVisible();
});

plain.describe("a cross-site page", () => {
  let open: TestServer;
  plain.beforeAll(async () => {
    open = await startServer({ TIDECAST_PASSWORD: "" });
  });
  plain.afterAll(async () => {
    await open?.stop();
  });

  plain("cannot start runs or upload through the user's browser", async ({ page }) => {
    const csv = "date,v\n" + Array.from({ length: 40 }, (_, i) => `${new Date(Date.UTC(2000, i, 1)).toISOString().slice(0, 10)},${i}`).join("\n");
    const seed = await page.request.post(`${open.url}/api/datasets`, { multipart: { file: { name: "seed.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } } });
    expect(seed.status()).toBe(201);
    const seriesId = (await seed.json()).series[0].id as number;
    // The attacker's page (served by Playwright as http://evil.test) posts forms to the app.
    await page.context().route("http://evil.test/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><title>evil</title>
          <form id="runs" method="POST" enctype="text/plain" action="${open.url}/api/series/${seriesId}/runs"><input name='{"epochs":2000,"x":"' value='"}'></form>
          <form id="upload" method="POST" enctype="multipart/form-data" action="${open.url}/api/datasets"><input type="hidden" name="name" value="evil"></form>`,
      }),
    );
    for (const form of ["runs", "upload"]) {
      const evil = await page.context().newPage();
      await evil.goto("http://evil.test/");
      const answer = evil.waitForResponse((r) => r.url().startsWith(open.url) && r.request().method() === "POST");
      await evil.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), form);
      const response = await answer;
      expect(response.status(), form).toBe(403);
      expect(response.request().headers()["origin"], form).toBe("http://evil.test");
      await evil.close();
    }
    const runs = await (await page.request.get(`${open.url}/api/series/${seriesId}/runs`)).json();
    expect(runs.runs).toEqual([]);
    const datasets = await (await page.request.get(`${open.url}/api/datasets`)).json();
    expect(datasets.datasets.map((d: { name: string }) => d.name)).toEqual(["seed"]);
  });
});

plain("the page's CSP blocks an injected inline handler, and the browser reports it (what the fixture listens for)", async ({ page }) => {
  const reports: string[] = [];
  page.on("console", (msg) => reports.push(msg.text()));
  await signIn(page);
  // What an HTML injection would try: markup with an inline event handler.
  const ran = await page.evaluate(async () => {
    document.body.insertAdjacentHTML("beforeend", `<img src="data:," alt="" onload="window.__injected = true" onerror="window.__injected = true">`);
    await new Promise((r) => setTimeout(r, 300));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => reports.some((t) => /Content Security Policy/.test(t))).toBe(true);
});

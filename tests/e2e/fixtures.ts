import { expect, test as base, type Page } from "@playwright/test";
import { E2E_PASSWORD } from "./password";

export { E2E_PASSWORD };

/**
 * The browser tests' `page`: signed in first (the webServer always has a password,
 * playwright.config.ts), and failing the test if the browser reports a violation of
 * the Content-Security-Policy on any page it showed.
 */
export async function signIn(page: Page, password = E2E_PASSWORD): Promise<void> {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Datasets" })).toBeVisible();
  // The sign-in is a full page load: wait for its scripts, or a test's first click or file choice
  // can reach a page React has not hydrated yet (and be lost).
  await page.waitForLoadState("load");
}

export const test = base.extend({
  page: async ({ page }, use) => {
    const violations: string[] = [];
    page.on("console", (msg) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await signIn(page);
    await use(page);
    expect(violations, "Content-Security-Policy violations in the browser").toEqual([]);
  },
});

export { expect };

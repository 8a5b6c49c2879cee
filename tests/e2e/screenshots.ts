import fs from "node:fs";
import path from "node:path";
import type { Locator, Page } from "@playwright/test";

/**
 * Where the browser tests save their screenshots: test-results/screenshots, beside Playwright's
 * own output (ignored by git), so a test run never rewrites the tracked pictures in docs/.
 * `npm run screenshots` runs the browser tests with TIDECAST_SCREENSHOT_DIR=docs/screenshots to
 * refresh the README's pictures on purpose.
 */
export const SCREENSHOT_DIR = process.env.TIDECAST_SCREENSHOT_DIR ?? path.join("test-results", "screenshots");

/** Saves a screenshot of the page (or of one element) as `<SCREENSHOT_DIR>/<name>`. */
export async function screenshot(page: Page | Locator, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), ...options });
}

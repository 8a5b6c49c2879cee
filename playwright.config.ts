import { defineConfig } from "@playwright/test";
import { E2E_PASSWORD } from "./tests/e2e/password";

// Browser tests run against the production build on a throwaway SQLite file, with the worker,
// in Debian's chromium (scripts/ensure-chromium.sh installs it; Playwright downloads nothing).
// The server has a password (the tests sign in, tests/e2e/fixtures.ts); the attack suite starts
// its own servers from the same build (tests/e2e/helpers/server.ts), so the run builds once.
const PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: "rm -f tmp/e2e.db tmp/e2e.db-wal tmp/e2e.db-shm && node --import tsx scripts/start.ts",
    url: `http://127.0.0.1:${PORT}/login`,
    timeout: 400_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: String(PORT),
      DATABASE_URL: "file:./tmp/e2e.db",
      TIDECAST_POLL_MS: "250", // the worker picks up and cancels runs within a quarter second
      TIDECAST_PASSWORD: E2E_PASSWORD,
      TIDECAST_SECRET: "e2e-session-secret",
    },
  },
});

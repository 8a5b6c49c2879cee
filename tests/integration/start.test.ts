import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** scripts/start.ts refuses a reachable address without a password before it touches anything. */
describe("npm start's listen address", () => {
  for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
    it(`refuses HOST=${host} without TIDECAST_PASSWORD, in one line saying how to set it`, () => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOST: host, DATABASE_URL: "file:/nonexistent/never-created.db" };
      delete env.TIDECAST_PASSWORD;
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts", "--no-build"], { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`Refusing to listen on ${host} without a password`);
      expect(lines[0]).toContain("TIDECAST_PASSWORD=");
      expect(r.stdout).not.toContain("Database:"); // nothing was migrated or started
    });
  }
});

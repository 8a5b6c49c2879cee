import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_DATABASE, emptyTestDatabase } from "../helpers/database";
import { datasetIdByName, deleteDataset } from "@/lib/datasets/datasets";

// The database commands of the CLI, run as a user runs them: real processes on a real, empty
// database that the CLI itself migrates with `prisma migrate deploy`.
const target = await emptyTestDatabase();
const db = target.connect();
const STOCKS = path.join(process.cwd(), "node_modules", "vega-datasets", "data", "stocks.csv");

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ["scripts/run-cli.mjs", ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: target.url },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => target.drop());

describe(`npm run cli -- import / train / export on ${TEST_DATABASE}`, () => {
  it("imports a CSV into a new database; a re-import is a new dataset unless --append asks to merge", async () => {
    const first = cli("import", STOCKS);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Imported dataset "stocks"');
    expect(first.stdout).toMatch(/AAPL: 123 points \(123 new, 0 changed\), monthly/);
    const again = cli("import", STOCKS);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Imported dataset "stocks (2)"');
    expect(again.stderr).toContain('A dataset named "stocks" already exists');
    expect(await db.get('SELECT COUNT(*) AS "n" FROM "Point"')).toEqual({ n: 2 * 560 });
    const preview = cli("import", STOCKS, "--name", "stocks", "--append", "--dry-run");
    expect(preview.stdout).toMatch(/Would append to dataset "stocks"[\s\S]*AAPL: 123 points \(0 new, 0 changed\)[\s\S]*Dry run: nothing was stored/);
    const appended = cli("import", STOCKS, "--name", "stocks", "--append");
    expect(appended.code).toBe(0);
    expect(appended.stdout).toContain('Appended to dataset "stocks"');
    expect(await db.get('SELECT COUNT(*) AS "n" FROM "Point"')).toEqual({ n: 2 * 560 });
    const nowhere = cli("import", STOCKS, "--name", "nope", "--append");
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('There is no dataset named "nope" to append to');
    expect(await deleteDataset(db, (await datasetIdByName(db, "stocks (2)"))!)).toBe(true);
    expect(await db.get('SELECT COUNT(*) AS "n" FROM "Point"')).toEqual({ n: 560 });
    expect(await db.get(`SELECT COUNT(*) AS "n" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL`)).toEqual({ n: fs.readdirSync(target.migrations).length });
  });

  it("refuses a bad CSV with the row and column, storing nothing", async () => {
    const bad = path.join(target.dir, "bad.csv");
    fs.writeFileSync(bad, "date,x\n2024-01-01,1\n2024-01-02,zz\n2024-01-03,2\n");
    const result = cli("import", bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Row 3, column "x": "zz" is not a number.');
    expect(await db.get(`SELECT COUNT(*) AS "n" FROM "Dataset" WHERE "name" = 'bad'`)).toEqual({ n: 0 });
  });

  it("queues a training run with the shared config validation, and refuses bad flags", async () => {
    const queued = cli("train", "--series", "1", "--model", "gru", "--epochs", "3", "--no-wait");
    expect(queued.code).toBe(0);
    expect(queued.stdout).toMatch(/Queued run \d+ for series 1\./);
    const same = cli("train", "--series", "1", "--model", "gru", "--epochs", "3", "--no-wait");
    expect(same.stdout).toMatch(/already queued or running/);
    const run = await db.all<{ status: string; config: string }>('SELECT "status", "config" FROM "Run"');
    expect(run).toHaveLength(1);
    expect(run[0].status).toBe("queued");
    expect(JSON.parse(run[0].config)).toMatchObject({ model: "gru", epochs: 3 });
    const badFlag = cli("train", "--series", "1", "--epochs", "0");
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--epochs: Epochs must be at least 1.");
    // The API's training budget: MSFT has 123 monthly points, so with horizon 12 the lookback can be at most 111.
    const tooLong = cli("train", "--series", "1", "--lookback", "200", "--horizon", "12", "--no-wait");
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("Lookback 200 plus horizon 12 is longer than the series (123 points): lookback can be at most 111. (--lookback)");
    const tooBig = cli("train", "--series", "1", "--hidden", "512", "--layers", "4", "--epochs", "2000", "--no-wait");
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/This run would cost .* TIDECAST_MAX_TRAINING_COST\)/);
    expect(await db.get('SELECT COUNT(*) AS "n" FROM "Run"')).toEqual({ n: 1 });
    const noSeries = cli("train", "--series", "99", "--no-wait");
    expect(noSeries.code).toBe(2);
    expect(noSeries.stderr).toContain("Series 99 does not exist");
  });

  it("exports a stored forecast as the API does, and says when there is none", async () => {
    const { id } = (await db.get<{ id: number }>(
      `INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (1, NULL, 'gru', 2, '[80,95]', ?) RETURNING "id"`,
      [new Date("2026-01-02T03:04:05.000Z")],
    ))!;
    const point = `INSERT INTO "ForecastPoint" ("forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
    await db.run(point, [id, 1, Date.UTC(2010, 3, 1), 30.5, 29, 32, 28, 33]);
    await db.run(point, [id, 2, Date.UTC(2010, 4, 1), -1.25, -3, 1, -4, 2]);
    await db.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = 1`, [id]);
    const csv = cli("export", "--series", "1");
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toBe("series,date,step,forecast,lo80,hi80,lo95,hi95,model,run,created");
    expect(lines.slice(1)).toEqual([
      "MSFT,2010-04-01,1,30.5,29,32,28,33,gru,,2026-01-02T03:04:05.000Z",
      "MSFT,2010-05-01,2,-1.25,-3,1,-4,2,gru,,2026-01-02T03:04:05.000Z",
    ]);
    const none = cli("export", "--series", "2");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Series 2 has no forecast yet");
    expect(cli("export", "--series", "1", "--dataset", "1").code).toBe(2);
  });
});

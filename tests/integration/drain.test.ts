import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb, useTempDatabase } from "./helpers/db";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { enqueueJob } from "../../lib/jobs/enqueue";

const handles: WorkerHandle[] = [];
afterAll(() => stopAll(handles));

describe("several worker processes draining one queue", () => {
  it("runs each of 300 jobs exactly once", async () => {
    const { dir, file } = useTempDatabase();
    const record = path.join(dir, "record.log");
    fs.writeFileSync(record, "");
    const env = { TEST_RECORD_FILE: record, TEST_RECORD_MS: "10", TIDECAST_WORKER_CONCURRENCY: "4", TIDECAST_POLL_MS: "20" };
    // Start the workers first, so that all of them compete for the jobs from the first one.
    handles.push(...(await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)])));
    const db = openDb(file);
    const ids = db.transaction(() => Array.from({ length: 300 }, (_, i) => enqueueJob("test.record", { i }, {}, db).id))();

    await waitFor(
      () => (db.prepare(`SELECT COUNT(*) AS n FROM "Job" WHERE "status" = 'succeeded'`).get() as { n: number }).n === 300,
      60_000,
      "300 succeeded jobs",
    );
    const lines = fs.readFileSync(record, "utf8").trim().split("\n");
    const seen = new Map<number, number>();
    const workers = new Set<string>();
    for (const line of lines) {
      const [id, worker] = line.split(" ");
      seen.set(Number(id), (seen.get(Number(id)) ?? 0) + 1);
      workers.add(worker);
    }
    expect(lines).toHaveLength(300);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(ids);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Every job was claimed once: one attempt each, nothing left locked.
    const stats = db.prepare(`SELECT MAX("attempts") AS maxA, MIN("attempts") AS minA, COUNT("lockedBy") AS locked FROM "Job"`).get();
    expect(stats).toEqual({ maxA: 1, minA: 1, locked: 0 });
    expect(workers.size).toBeGreaterThan(1);
    for (const h of handles) expect(h.proc.exitCode).toBeNull();
    db.close();
  });
});

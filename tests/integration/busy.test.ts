import { afterEach, describe, expect, it } from "vitest";
import { openDb, seedSeries, useTempDatabase } from "./helpers/db";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { enqueueJob } from "../../lib/jobs/enqueue";
import { requestRun } from "../../lib/jobs/runs";
import fs from "node:fs";
import path from "node:path";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

describe("a busy database", () => {
  it("workers wait while another connection holds a long write transaction, then carry on", async () => {
    // The workers' busy wait (500 ms) is shorter than the lock (3 s): they see SQLITE_BUSY many
    // times (claims, heartbeats, epoch writes, finishes) and must ride it out without failing anything.
    const { dir, file } = useTempDatabase();
    const db = openDb(file);
    const seriesId = seedSeries(db);
    const record = path.join(dir, "record.log");
    fs.writeFileSync(record, "");
    const env = { TEST_RECORD_FILE: record, TEST_RECORD_MS: "20", FAKE_EPOCH_MS: "40", TIDECAST_WORKER_CONCURRENCY: "2", TIDECAST_LEASE_MS: "8000", TIDECAST_POLL_MS: "50", TIDECAST_WORKER_BUSY_TIMEOUT_MS: "500" };
    handles.push(await spawnWorker(env), await spawnWorker(env));
    const run = requestRun(seriesId, { epochs: 60, horizon: 5 });
    if (run.kind !== "created") throw new Error("run not created");
    const jobs = Array.from({ length: 60 }, (_, i) => enqueueJob("test.record", { i }, {}, db).id);
    await waitFor(() => (db.prepare(`SELECT "epochsDone" FROM "Run" WHERE "id" = ?`).get(run.run.id) as { epochsDone: number }).epochsDone >= 3, 20_000, "training");

    // Another writer takes the write lock for 3 s (a long import, say) and writes meanwhile.
    const holder = openDb(file);
    holder.exec("BEGIN IMMEDIATE");
    holder.prepare(`UPDATE "Series" SET "unit" = 'held' WHERE "id" = ?`).run(seriesId);
    const doneAtLock = (holder.prepare(`SELECT COUNT(*) AS n FROM "Job" WHERE "status" = 'succeeded'`).get() as { n: number }).n;
    await new Promise((r) => setTimeout(r, 3000));
    holder.exec("COMMIT");
    holder.close();
    expect(doneAtLock).toBeLessThan(jobs.length + 1); // work was still pending when the lock was taken

    await waitFor(
      () => (db.prepare(`SELECT COUNT(*) AS n FROM "Job" WHERE "status" = 'succeeded'`).get() as { n: number }).n === jobs.length + 1,
      30_000,
      "every job to finish after the lock",
    );
    expect(db.prepare(`SELECT "status", "attempt", "epochsDone" FROM "Run" WHERE "id" = ?`).get(run.run.id)).toEqual({ status: "succeeded", attempt: 1, epochsDone: 60 });
    expect(db.prepare(`SELECT MAX("attempts") AS a FROM "Job"`).get()).toEqual({ a: 1 }); // nothing had to be retried
    expect(fs.readFileSync(record, "utf8").trim().split("\n")).toHaveLength(jobs.length);
    for (const h of handles) expect(h.proc.exitCode).toBeNull(); // no crash
    const logs = handles.map((h) => h.output()).join("\n");
    expect(logs).toMatch(/database busy|epoch writes delayed/); // the workers did hit the lock
    expect(logs).not.toMatch(/failed for good|attempt \d+ failed/);
    db.close();
  });
});

import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { count, seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { db as sharedDb } from "../../lib/db/client";
import { enqueueJob } from "../../lib/queue/enqueue";
import { requestRun } from "../../lib/runs/request";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

// SQLite only: its one write lock per database file is what a long writer holds here (on
// PostgreSQL writers lock rows, and a lost connection is the equivalent fault: hosts.test.ts).
describe("a busy SQLite database", () => {
  it("workers wait while another connection holds a long write transaction, then carry on", async () => {
    // The workers' busy wait (500 ms) is shorter than the lock (3 s): they see SQLITE_BUSY many
    // times (claims, heartbeats, epoch writes, finishes) and must ride it out without failing anything.
    const t = await useDatabase("sqlite");
    const db = t.connect();
    const seriesId = await seedSeries(db);
    const record = path.join(t.dir, "record.log");
    fs.writeFileSync(record, "");
    const env = { TEST_RECORD_FILE: record, TEST_RECORD_MS: "20", FAKE_EPOCH_MS: "40", TIDECAST_WORKER_CONCURRENCY: "2", TIDECAST_LEASE_MS: "8000", TIDECAST_POLL_MS: "50", TIDECAST_WORKER_BUSY_TIMEOUT_MS: "500" };
    handles.push(await spawnWorker(env), await spawnWorker(env));
    const run = await requestRun(sharedDb(), seriesId, { epochs: 60, horizon: 5 });
    if (run.kind !== "created") throw new Error("run not created");
    const jobs: number[] = [];
    for (let i = 0; i < 60; i++) jobs.push((await enqueueJob(db, "test.record", { i })).id);
    const epochsDone = async () => (await db.get<{ epochsDone: number }>(`SELECT "epochsDone" FROM "Run" WHERE "id" = ?`, [run.run.id]))!.epochsDone;
    await waitFor(async () => (await epochsDone()) >= 3, 20_000, "training to start");

    // Another writer takes the write lock for 3 s (a long import, say) and writes meanwhile.
    const holder = t.connect();
    const doneAtLock = await holder.transaction(async (tx) => {
      await tx.run(`UPDATE "Series" SET "unit" = 'held' WHERE "id" = ?`, [seriesId]);
      const n = await count(tx, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "status" = 'succeeded'`);
      await new Promise((r) => setTimeout(r, 3000));
      return n;
    });
    expect(doneAtLock).toBeLessThan(jobs.length + 1); // work was still pending when the lock was taken

    const succeeded = () => count(db, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "status" = 'succeeded'`);
    await waitFor(async () => (await succeeded()) === jobs.length + 1, 30_000, "every job to finish after the lock");
    expect(await db.get(`SELECT "status", "attempt", "epochsDone" FROM "Run" WHERE "id" = ?`, [run.run.id])).toEqual({ status: "succeeded", attempt: 1, epochsDone: 60 });
    expect(await db.get(`SELECT MAX("attempts") AS "a" FROM "Job"`)).toEqual({ a: 1 }); // nothing had to be retried
    expect(fs.readFileSync(record, "utf8").trim().split("\n")).toHaveLength(jobs.length);
    for (const h of handles) expect(h.proc.exitCode).toBeNull(); // no crash
    const logs = handles.map((h) => h.output()).join("\n");
    expect(logs).toMatch(/database busy|epoch writes delayed/); // the workers did hit the lock
    expect(logs).not.toMatch(/failed for good|attempt \d+ failed/);
  });
});

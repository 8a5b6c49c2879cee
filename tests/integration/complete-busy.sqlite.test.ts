import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { db as sharedDb } from "../../lib/db/client";
import { requestRun } from "../../lib/runs/request";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

// SQLite only: another connection's write transaction is what makes the final write busy.
describe("the final write of a finished training on a busy SQLite database", () => {
  it("is retried through SQLITE_BUSY: the run succeeds in its first attempt, nothing is trained twice", async () => {
    const t = await useDatabase("sqlite");
    const db = t.connect();
    const seriesId = await seedSeries(db);
    const log = path.join(t.dir, "engine.log");
    const run = await requestRun(sharedDb(), seriesId, { epochs: 5, horizon: 5 });
    if (run.kind !== "created") throw new Error("run not created");
    // The engine notes "finishing" after its last epoch and returns 800 ms later, while the lock
    // below is held; the worker's busy wait (200 ms) is far shorter than the lock (2.5 s).
    handles.push(await spawnWorker({ FAKE_EPOCH_MS: "20", FAKE_FINISH_MS: "800", FAKE_ENGINE_LOG: log, TIDECAST_WORKER_BUSY_TIMEOUT_MS: "200", TIDECAST_LEASE_MS: "8000" }));
    const row = () => db.get<{ status: string; attempt: number; epochsDone: number }>(`SELECT "status", "attempt", "epochsDone" FROM "Run" WHERE "id" = ?`, [run.run.id]);
    await waitFor(() => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("finishing"), 20_000, "the last epoch");
    await waitFor(async () => (await row())!.epochsDone === 5, 5_000, "every epoch stored"); // only the result is left to write

    const holder = t.connect();
    await holder.transaction(async (tx) => {
      await tx.run(`UPDATE "Series" SET "unit" = 'held' WHERE "id" = ?`, [seriesId]);
      await new Promise((r) => setTimeout(r, 2500));
    });

    await waitFor(async () => (await row())!.status === "succeeded", 20_000, "the run to succeed");
    expect(await row()).toEqual({ status: "succeeded", attempt: 1, epochsDone: 5 });
    expect(await db.get(`SELECT "attempts", "status" FROM "Job" WHERE "id" = ?`, [run.run.jobId])).toEqual({ attempts: 1, status: "succeeded" });
    expect(fs.readFileSync(log, "utf8").match(/ start /g)).toHaveLength(1); // trained once
    expect(handles[0].output()).toContain("storing the result: database busy or unreachable");
  });
});

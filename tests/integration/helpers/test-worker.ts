import fs from "node:fs";
import { runWorkerProcess } from "../../../workers/process";
import { trainTask } from "../../../workers/tasks/train";
import type { TaskList } from "../../../lib/queue/tasks";

/**
 * The worker process the integration tests spawn: the real worker loop, signal handling and
 * train task, with the training engine chosen by TEST_ENGINE ("fake": the deterministic fake,
 * "real": lib/forecast) and two extra tasks:
 *   test.record  appends "<jobId> <workerId>" to TEST_RECORD_FILE after TEST_RECORD_MS ms
 *   test.throw   always throws (its attempt number in the message)
 *   test.effect  after TEST_EFFECT_MS ms, inserts ("jobId", "workerId", "attempt") into the test's own
 *                "TestEffect" table in the same transaction that finishes the job: its effect
 *                happens exactly once, or not at all when the lease was lost
 */
const engine =
  process.env.TEST_ENGINE === "real" ? undefined : new URL("./fake-engine.ts", import.meta.url).href;

const tasks: TaskList = {
  train: trainTask({ engine }),
  "test.record": async (_payload, helpers) => {
    const ms = Number(process.env.TEST_RECORD_MS ?? "5");
    await new Promise((r) => setTimeout(r, ms));
    fs.appendFileSync(process.env.TEST_RECORD_FILE!, `${helpers.job.id} ${helpers.workerId}\n`);
  },
  "test.throw": async (_payload, helpers) => {
    throw new Error(`Boom in attempt ${helpers.job.attempts}`);
  },
  "test.effect": async (_payload, helpers) => {
    await new Promise((r) => setTimeout(r, Number(process.env.TEST_EFFECT_MS ?? "20")));
    await helpers.complete(async (tx) => {
      await tx.run(`INSERT INTO "TestEffect" ("jobId", "workerId", "attempt") VALUES (?, ?, ?)`, [helpers.job.id, helpers.workerId, helpers.job.attempts]);
    });
  },
};

const worker = runWorkerProcess(tasks);
console.log(`READY ${worker.id}`);

import type { TaskList } from "../../lib/queue/tasks";
import { TRAIN_JOB } from "../../lib/runs/types";
import { WEBHOOK_JOB } from "../../lib/events/kinds";
import { housekeep } from "../../lib/housekeeping/prune";
import { trainTask, type TrainTaskOptions } from "./train";
import { webhookTask } from "./webhook";
import type { PeriodicTask } from "../worker";

/** The tasks a production worker's training lane runs. */
export function defaultTasks(train: TrainTaskOptions = {}): TaskList {
  return { [TRAIN_JOB]: trainTask(train) };
}

/**
 * Webhook deliveries run in a lane of their own with its own concurrency
 * (TIDECAST_WEBHOOK_CONCURRENCY, default 4): a long training never holds them up, and a slow
 * endpoint (at most TIDECAST_WEBHOOK_TIMEOUT_MS per attempt) never holds up a training.
 */
export function deliveryLane(env: Record<string, string | undefined> = process.env): { tasks: TaskList; concurrency: number } {
  const n = Number(env.TIDECAST_WEBHOOK_CONCURRENCY ?? "4");
  return { tasks: { [WEBHOOK_JOB]: webhookTask() }, concurrency: Number.isInteger(n) && n >= 1 ? n : 4 };
}

/** Work every worker does now and then: pruning old jobs and dead attempts' epochs, hourly. */
export function defaultPeriodic(): PeriodicTask[] {
  return [
    {
      name: "housekeeping",
      everyMs: 3_600_000,
      run: async (db, log) => {
        const pruned = await housekeep(db);
        if (pruned && (pruned.jobs > 0 || pruned.epochs > 0)) log(`housekeeping: pruned ${pruned.jobs} succeeded job(s), ${pruned.epochs} epoch(s) of dead attempts`);
      },
    },
  ];
}

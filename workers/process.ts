import { openDb } from "../lib/db/client";
import { databaseUrl } from "../lib/db/url";
import { queueSettings } from "../lib/queue/settings";
import type { TaskList } from "../lib/queue/tasks";
import { Worker, type WorkerOptions } from "./worker";

/**
 * Runs a worker as a process: opens DATABASE_URL, starts the loop and handles SIGINT/SIGTERM.
 * The first signal stops claiming, lets each training finish its epoch and puts its job back in
 * the queue (or stores it if it just finished), then exits 0; a second signal puts the jobs back
 * at once and exits.
 *
 * One Ctrl-C reaches the worker more than once: the terminal signals the whole process group
 * (npm, scripts/start.ts, tsx and the worker), start.ts forwards it, and tsx relays what it gets
 * to its child. Signals within SAME_SIGNAL_MS of the first are that one Ctrl-C; a second one
 * counts from then on.
 */
export const SAME_SIGNAL_MS = 1000;

export function runWorkerProcess(tasks: TaskList, options: Omit<WorkerOptions, "tasks" | "db"> = {}): Worker {
  const log = options.log ?? ((line: string) => console.log(`[worker] ${line}`));
  const settings = { ...queueSettings(), ...options.settings };
  const db = openDb(databaseUrl(), {
    busyTimeoutMs: settings.busyTimeoutMs ?? undefined,
    applicationName: "tidecast-worker",
    // PostgreSQL drops this worker's sessions when it cannot reach it for a lease (a cut network,
    // a frozen host): their row locks go with them, so the workers that take over its jobs are
    // not kept waiting, and a transaction it had open can no longer commit when it comes back.
    session: { idle_in_transaction_session_timeout: settings.leaseMs, tcp_user_timeout: settings.leaseMs },
    log,
  });
  const worker = new Worker({ ...options, settings, tasks, log, db });
  let firstSignalAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt !== null && now - firstSignalAt < SAME_SIGNAL_MS) return; // the same Ctrl-C, delivered again
    if (firstSignalAt === null) {
      firstSignalAt = now;
      log(`${signal}: finishing the current epoch, then putting running jobs back`);
      void worker
        .stop()
        .then(() => db.close())
        .then(
          () => process.exit(0),
          (err: unknown) => {
            log(`shutdown failed: ${String(err)}`);
            process.exit(1);
          },
        );
    } else {
      log(`${signal} again: putting running jobs back now`);
      void worker.forceRelease().finally(() => process.exit(1));
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  worker.start();
  return worker;
}

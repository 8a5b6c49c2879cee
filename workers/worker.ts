import os from "node:os";
import { randomUUID } from "node:crypto";
import { sqlite } from "../lib/db/client";
import { claimJob } from "../lib/jobs/claim";
import { heartbeatJob } from "../lib/jobs/heartbeat";
import { finishJob } from "../lib/jobs/finish";
import { failJob } from "../lib/jobs/fail";
import { releaseJob } from "../lib/jobs/release";
import { cancelHeldJob } from "../lib/jobs/cancel";
import { hasExpiredLeases, recoverExpiredJobs } from "../lib/jobs/recover";
import { runDueSchedules } from "../lib/jobs/scheduler";
import { backoffMs, queueSettings, type QueueSettings } from "../lib/jobs/settings";
import { JobCancelledError, LeaseLostError, PermanentJobError, errorMessage, isBusyError } from "../lib/jobs/errors";
import { taskFn, taskHooks, type StopReason, type TaskHelpers, type TaskList } from "../lib/jobs/tasks";
import { leaseOf, type Db, type JobRow, type Lease } from "../lib/jobs/types";

export interface WorkerOptions {
  tasks: TaskList;
  settings?: Partial<QueueSettings>;
  workerId?: string;
  scheduler?: boolean; // run the schedule loop in this worker (default true)
  log?: (line: string) => void;
}

interface Active {
  job: JobRow;
  lease: Lease;
  controller: AbortController;
  completed: boolean;
  done: Promise<void>;
}

/**
 * The worker loop: claims jobs up to `concurrency`, runs their tasks, heartbeats their leases,
 * recovers jobs whose worker died, and runs due schedules. Its own thread only does short
 * database statements; CPU-heavy work (training) runs in worker_threads, so heartbeats keep going.
 * Every database call is wrapped: a busy database (SQLITE_BUSY after the busy timeout) is logged
 * and retried on the next tick, never fatal.
 */
export class Worker {
  readonly id: string;
  readonly settings: QueueSettings;
  private readonly tasks: TaskList;
  private readonly kinds: string[];
  private readonly runScheduler: boolean;
  private readonly log: (line: string) => void;
  private readonly active = new Map<number, Active>();
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastSchedulerRun = 0;
  private stopping = false;
  private filling = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkerOptions) {
    this.settings = { ...queueSettings(), ...options.settings };
    this.tasks = options.tasks;
    this.kinds = Object.keys(options.tasks);
    this.runScheduler = options.scheduler ?? true;
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = options.log ?? ((line) => console.log(line));
  }

  private get db(): Db {
    return sqlite();
  }

  get activeCount(): number {
    return this.active.size;
  }

  start(): void {
    if (this.settings.busyTimeoutMs !== null) this.db.pragma(`busy_timeout = ${this.settings.busyTimeoutMs}`);
    this.log(`worker ${this.id} started: concurrency ${this.settings.concurrency}, tasks ${this.kinds.join(", ")}`);
    this.pollTimer = setInterval(() => this.tick(), this.settings.pollMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.settings.heartbeatMs);
    this.tick();
  }

  /** One poll: recover expired leases, run due schedules, claim work. */
  tick(): void {
    if (this.stopping) return;
    this.guard("recover", () => this.recover());
    if (this.runScheduler && Date.now() - this.lastSchedulerRun >= this.settings.schedulerMs) {
      this.guard("scheduler", () => {
        const created = runDueSchedules(this.db);
        this.lastSchedulerRun = Date.now();
        for (const c of created) this.log(`schedule ${c.scheduleId}: queued run ${c.runId}`);
      });
    }
    this.fill();
  }

  private guard(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.log(`${what} failed${isBusyError(err) ? " (database busy; retrying)" : ""}: ${errorMessage(err)}`);
      return false;
    }
  }

  private recover(): void {
    const db = this.db;
    // A read first: idle workers then do not take the write lock every poll for nothing.
    if (!hasExpiredLeases(db)) return;
    db.transaction(() => {
      for (const job of recoverExpiredJobs(db)) {
        this.log(`recovered job ${job.id} (${job.kind}): ${job.lastError}`);
        const info = { final: job.status === "failed", error: job.lastError ?? "", retryAt: job.status === "queued" ? job.runAt : null };
        this.hook(`job ${job.id} onFailed`, () => taskHooks(this.tasks[job.kind]).onFailed?.(parsePayload(job), info, db));
      }
    }).immediate();
  }

  /** A task hook that throws must not roll back (and so block) the queue's own state change. */
  private hook(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (isBusyError(err)) throw err;
      this.log(`${what} hook failed: ${errorMessage(err)}`);
    }
  }

  private fill(): void {
    if (this.filling) return;
    this.filling = true;
    try {
      while (!this.stopping && this.active.size < this.settings.concurrency) {
        let job: JobRow | null = null;
        if (!this.guard("claim", () => (job = claimJob(this.id, this.kinds, this.settings.leaseMs, this.db)))) break;
        if (!job) break;
        this.launch(job);
      }
    } finally {
      this.filling = false;
    }
  }

  private heartbeat(): void {
    for (const entry of this.active.values()) {
      if (entry.completed || entry.controller.signal.aborted) continue;
      this.guard(`heartbeat of job ${entry.job.id}`, () => {
        if (!heartbeatJob(entry.lease, this.settings.leaseMs, this.db)) {
          this.log(`job ${entry.job.id}: lease lost; stopping it`);
          entry.controller.abort("lease-lost" satisfies StopReason);
        }
      });
    }
  }

  private launch(job: JobRow): void {
    const entry: Active = { job, lease: leaseOf(job), controller: new AbortController(), completed: false, done: Promise.resolve() };
    this.active.set(job.id, entry);
    entry.done = this.execute(entry).finally(() => {
      this.active.delete(job.id);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      if (!this.stopping) setImmediate(() => this.fill());
    });
  }

  private async execute(entry: Active): Promise<void> {
    const { job, lease, controller } = entry;
    const task = this.tasks[job.kind];
    const hooks = taskHooks(task);
    const payload = parsePayload(job);
    const helpers: TaskHelpers = {
      job,
      workerId: this.id,
      signal: controller.signal,
      settings: { pollMs: this.settings.pollMs, shutdownGraceMs: this.settings.shutdownGraceMs },
      complete: (write) => {
        const db = this.db;
        db.transaction(() => {
          if (!finishJob(lease, db)) throw new LeaseLostError();
          write?.(db);
        }).immediate();
        entry.completed = true;
      },
      log: (message) => this.log(`job ${job.id} (${job.kind}): ${message}`),
    };
    try {
      await taskFn(task)(payload, helpers);
      if (!entry.completed) await this.persist(`finish job ${job.id}`, () => {
        if (!finishJob(lease, this.db)) this.log(`job ${job.id}: finished after its lease was lost; result dropped`);
      });
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
      const db = this.db;
      if (err instanceof JobCancelledError || reason === "cancel") {
        this.log(`job ${job.id}: cancelled`);
        await this.persist(`cancel job ${job.id}`, () =>
          db.transaction(() => {
            if (cancelHeldJob(lease, errorMessage(err), db)) this.hook(`job ${job.id} onCancelled`, () => hooks.onCancelled?.(payload, db));
          }).immediate(),
        );
      } else if (err instanceof LeaseLostError || reason === "lease-lost") {
        this.log(`job ${job.id}: lease lost; another worker will run it`);
      } else if (reason === "shutdown") {
        this.log(`job ${job.id}: put back in the queue (shutdown)`);
        await this.persist(`release job ${job.id}`, () =>
          db.transaction(() => {
            if (releaseJob(lease, db)) this.hook(`job ${job.id} onReleased`, () => hooks.onReleased?.(payload, db));
          }).immediate(),
        );
      } else {
        const message = errorMessage(err);
        const permanent = err instanceof PermanentJobError;
        const delay = backoffMs(job.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs);
        await this.persist(`fail job ${job.id}`, () =>
          db.transaction(() => {
            const row = failJob(lease, message, { retryDelayMs: delay, permanent }, db);
            if (!row) return;
            const final = row.status === "failed";
            this.log(`job ${job.id}: attempt ${job.attempts} failed${final ? " for good" : `, retry at ${row.runAt}`}: ${message}`);
            this.hook(`job ${job.id} onFailed`, () => hooks.onFailed?.(payload, { final, error: message, retryAt: final ? null : row.runAt }, db));
          }).immediate(),
        );
      }
    }
  }

  /** Retries a final write through a busy database (a lease lapse would only re-run the job). */
  private async persist(what: string, fn: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        fn();
        return;
      } catch (err) {
        if (!isBusyError(err) || attempt >= 20) {
          this.log(`${what} failed: ${errorMessage(err)}`);
          return;
        }
        this.log(`${what}: database busy, retrying`);
        await new Promise((r) => setTimeout(r, Math.min(this.settings.pollMs, 1000)));
      }
    }
  }

  /**
   * Stops the worker: no new claims; running tasks are asked to stop (a training finishes its
   * epoch, then its job goes back to the queue). After `shutdownGraceMs`, jobs still running are
   * put back by force. Resolves when nothing is held.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.log(`worker ${this.id} stopping (${this.active.size} job(s) running)`);
    for (const entry of this.active.values()) entry.controller.abort("shutdown" satisfies StopReason);
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.shutdownGraceMs)));
      await Promise.race([idle, grace]);
      clearTimeout(timer);
    }
    this.forceRelease();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.log(`worker ${this.id} stopped`);
  }

  /** Puts back every job still held (the process is about to exit). */
  forceRelease(): void {
    for (const entry of this.active.values()) {
      if (entry.completed) continue;
      const hooks = taskHooks(this.tasks[entry.job.kind]);
      this.guard(`release job ${entry.job.id}`, () => {
        const db = this.db;
        db.transaction(() => {
          if (releaseJob(entry.lease, db)) {
            this.hook(`job ${entry.job.id} onReleased`, () => hooks.onReleased?.(parsePayload(entry.job), db));
            this.log(`job ${entry.job.id}: put back in the queue (forced)`);
          }
        }).immediate();
      });
    }
  }
}

function parsePayload(job: JobRow): unknown {
  try {
    return JSON.parse(job.payload) as unknown;
  } catch {
    return null;
  }
}

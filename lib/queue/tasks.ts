import type { Db } from "../db/types";
import type { JobRow } from "./types";

/**
 * Tasks, graphile-worker style: a task is `async (payload, helpers)`; returning means done, a
 * throw means retry with exponential backoff (PermanentJobError: fail now; JobCancelledError:
 * cancelled). A task may add hooks that run in the SAME transaction as the job's state change,
 * so the rows a task owns (a Run) never disagree with the job.
 */
export type StopReason = "cancel" | "shutdown" | "lease-lost";

export interface TaskHelpers {
  job: JobRow;
  workerId: string;
  /** The worker's database. */
  db: Db;
  /** Aborted (with a StopReason as `reason`) when the task should stop: shutdown or lost lease. */
  signal: AbortSignal;
  settings: { pollMs: number; shutdownGraceMs: number };
  /**
   * Finishes the job and runs `write` in one transaction, only while this worker still holds the
   * job (else throws LeaseLostError and writes nothing): results are stored at most once.
   */
  complete(write?: (tx: Db) => Promise<void>): Promise<void>;
  log(message: string): void;
}

export interface FailureInfo {
  final: boolean; // no attempt left (or a permanent error)
  error: string;
  retryAt: Date | null; // when the next attempt may start
}

/** Hooks run inside the transaction of the job's state change (in a savepoint of their own). */
export interface TaskHooks {
  onFailed?(payload: unknown, info: FailureInfo, tx: Db): Promise<void>;
  onCancelled?(payload: unknown, tx: Db): Promise<void>;
  onReleased?(payload: unknown, tx: Db): Promise<void>;
}

export type TaskFn = (payload: unknown, helpers: TaskHelpers) => Promise<void>;
export type Task = TaskFn | ({ run: TaskFn } & TaskHooks);
export type TaskList = Record<string, Task>;

export function taskFn(task: Task): TaskFn {
  return typeof task === "function" ? task : task.run;
}

export function taskHooks(task: Task | undefined): TaskHooks {
  return task && typeof task !== "function" ? task : {};
}

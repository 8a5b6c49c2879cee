/**
 * The durable job queue and what is built on it. One module per queue operation (enqueue, claim,
 * heartbeat, finish, fail, release, cancel, recover), each a single guarded SQL statement in the
 * subset SQLite and PostgreSQL share; training runs and schedules on top.
 */
export { enqueueJob, type EnqueueOptions } from "./enqueue";
export { claimJob } from "./claim";
export { heartbeatJob } from "./heartbeat";
export { finishJob } from "./finish";
export { failJob, type FailOptions } from "./fail";
export { releaseJob } from "./release";
export { cancelQueuedJob, cancelHeldJob } from "./cancel";
export { recoverExpiredJobs, hasExpiredLeases } from "./recover";
export { queueSettings, backoffMs, defaultConcurrency, type QueueSettings } from "./settings";
export { PermanentJobError, JobCancelledError, LeaseLostError, isBusyError } from "./errors";
export type { Task, TaskFn, TaskList, TaskHelpers, TaskHooks, FailureInfo, StopReason } from "./tasks";
export type { JobRow, JobStatus, Lease } from "./types";
export { requestRun, cancelRun, TRAIN_JOB, type RunRow, type RunStatus, type RequestRunResult, type CancelRunResult } from "./runs";
export { runDueSchedules, enqueueRetrainForNewData, type ScheduledRun } from "./scheduler";
export { checkCron, isValidTimeZone, nextRuns, nextRunAfter } from "./cron";

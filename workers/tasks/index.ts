import type { TaskList } from "../../lib/jobs/tasks";
import { TRAIN_JOB } from "../../lib/jobs/runs";
import { trainTask, type TrainTaskOptions } from "./train";

/** The tasks a production worker runs. */
export function defaultTasks(train: TrainTaskOptions = {}): TaskList {
  return { [TRAIN_JOB]: trainTask(train) };
}

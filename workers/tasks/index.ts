import type { TaskList } from "../../lib/queue/tasks";
import { TRAIN_JOB } from "../../lib/runs/types";
import { trainTask, type TrainTaskOptions } from "./train";

/** The tasks a production worker runs. */
export function defaultTasks(train: TrainTaskOptions = {}): TaskList {
  return { [TRAIN_JOB]: trainTask(train) };
}

import { runWorkerProcess } from "../workers/process";
import { trainTask } from "../workers/tasks/train";

/** The worker bench/queue.ts spawns: the production loop with a no-op task beside training. */
const worker = runWorkerProcess({ "bench.noop": async () => undefined, train: trainTask() }, { log: () => undefined });
console.log(`READY ${worker.id}`);

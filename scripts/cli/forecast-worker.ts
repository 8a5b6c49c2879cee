/** Worker thread of the forecast CLI: runs the tasks the pool sends it (forecast-task.ts). */
import { parentPort } from "node:worker_threads";
import { runTask } from "./forecast-task";
import type { WorkerRequest } from "./pool";

const port = parentPort;
if (!port) throw new Error("forecast-worker must run in a worker thread");

port.on("message", (req: WorkerRequest) => runTask(req, (m) => port.postMessage(m)));

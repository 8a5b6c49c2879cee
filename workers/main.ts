import { enableRelaxedSimd } from "../lib/tensor/relaxed-simd";
import { runWorkerProcess } from "./process";
import { defaultTasks } from "./tasks";

/**
 * `npm run worker` (and `npm start`, beside the web app): one worker process. Several may run
 * against the same database; see lib/queue/settings.ts for the TIDECAST_* environment variables.
 */

// Relaxed SIMD (the faster kernels) first, before any training thread starts (lib/tensor/relaxed-simd.ts).
enableRelaxedSimd();
runWorkerProcess(defaultTasks());

import { enableRelaxedSimd } from "../lib/tensor/relaxed-simd";
import { runWorkerProcess } from "./process";
import { defaultPeriodic, defaultTasks, deliveryLane } from "./tasks";

/**
 * `npm run worker` (and `npm start`, beside the web app): one worker process. Several may run
 * against the same database; see lib/queue/settings.ts for the TIDECAST_* environment variables.
 * Trainings and webhook deliveries are claimed by separate loops, so neither waits for the other.
 */

// Relaxed SIMD (the faster kernels) first, before any training thread starts (lib/tensor/relaxed-simd.ts).
enableRelaxedSimd();
runWorkerProcess(defaultTasks(), { lanes: [deliveryLane()], periodic: defaultPeriodic() });

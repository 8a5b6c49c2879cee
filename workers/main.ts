import { runWorkerProcess } from "./process";
import { defaultTasks } from "./tasks";

/**
 * `npm run worker` (and `npm start`, beside the web app): one worker process. Several may run
 * against the same database; see lib/queue/settings.ts for the TIDECAST_* environment variables.
 */
runWorkerProcess(defaultTasks());

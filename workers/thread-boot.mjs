// Entry of a training thread. Worker threads do not inherit tsx's module hooks from the parent
// process on Node 20, so the thread registers them itself before loading its TypeScript entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);

/**
 * Calls `onGone` once the process that started this one has exited. `npm start` runs the launcher
 * under npm's script shell; a SIGTERM to npm (a service manager or `docker stop` signalling only
 * its main process) ends npm and that shell but is not passed on, which would leave the launcher,
 * the web app and the worker running with no parent. Checked every `intervalMs`: the parent's pid
 * changes when the process is re-parented (POSIX), and it stops answering signal 0 when it is gone.
 */
export function onParentExit(onGone: () => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent && isAlive(parent)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

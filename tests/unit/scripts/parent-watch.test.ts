/** onParentExit on real processes: a child under a shell hears when the shell is killed, and not before. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-parent-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const waitFor = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (ok()) return true;
  return ok();
};

describe("onParentExit", () => {
  it("calls back within a few intervals of the parent shell's death, and only then", async () => {
    const out = path.join(dir, "child.log");
    const child = path.join(dir, "child.mts");
    fs.writeFileSync(
      child,
      `import fs from "node:fs";
import { onParentExit } from ${JSON.stringify(path.join(ROOT, "scripts/parent-watch.ts"))};
fs.writeFileSync(${JSON.stringify(out)}, "ready " + process.pid + "\\n");
onParentExit(() => { fs.appendFileSync(${JSON.stringify(out)}, "gone\\n"); process.exit(0); }, 100);
setInterval(() => {}, 1000);
`,
    );
    // "; :" keeps the shell as the child's parent (no exec of the last command), as npm's is.
    const shell = spawn("sh", ["-c", `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(child)}; :`], { cwd: ROOT, stdio: "ignore" });
    let childPid = 0;
    try {
      expect(await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, "utf8").startsWith("ready"), 20_000)).toBe(true);
      childPid = Number(fs.readFileSync(out, "utf8").split(/\s/)[1]);
      await new Promise((r) => setTimeout(r, 500)); // five intervals with the shell alive: no call
      expect(fs.readFileSync(out, "utf8")).not.toContain("gone");
      process.kill(shell.pid!, "SIGTERM");
      expect(await waitFor(() => fs.readFileSync(out, "utf8").includes("gone"), 5_000)).toBe(true);
    } finally {
      for (const pid of [shell.pid!, childPid]) {
        try {
          if (pid) process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  });
});

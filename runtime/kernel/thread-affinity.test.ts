/** Pinning threads by id, in a child process (so the test runner's own threads keep their CPUs). */
import { expect, test } from "bun:test";
import { resolve } from "node:path";

const script = `
import { readdirSync, readFileSync } from "node:fs";
import { pinThread, pinThisThread, threadCpus } from ${JSON.stringify(resolve(import.meta.dir, "thread-affinity.ts"))};
const cpus = (tid) => /Cpus_allowed_list:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + tid + "/status", "utf8"))[1];
const before = new Set(readdirSync("/proc/self/task"));
const w = new Worker(URL.createObjectURL(new Blob(["setInterval(() => {}, 1000)"])));
await new Promise((r) => setTimeout(r, 300));
const started = readdirSync("/proc/self/task").filter((t) => !before.has(t));
const out = { self: pinThisThread(0), selfCpus: threadCpus(), others: started.map((t) => [pinThread(Number(t), 0), cpus(t)]), bad: pinThread(-1, 0), badCpu: pinThread(0, 5000) };
console.log(JSON.stringify(out));
w.terminate();
process.exit(0);
`;

test("a thread pinned by id (or the calling one) runs on that CPU alone; bad ids and CPUs are refused in one line", () => {
  if (process.platform !== "linux") return;
  const r = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  const out = JSON.parse(r.stdout.toString()) as { self: string | null; selfCpus: string; others: [string | null, string][]; bad: string; badCpu: string };
  expect(out.self).toBeNull();
  expect(out.selfCpus).toBe("0");
  expect(out.others.length).toBeGreaterThan(0);
  for (const [why, cpus] of out.others) {
    expect(why).toBeNull();
    expect(cpus).toBe("0");
  }
  expect(out.bad).toBe("not pinned: tid=-1 expected a thread id");
  expect(out.badCpu).toBe("not pinned: cpu=5000 expected 0..1023");
});

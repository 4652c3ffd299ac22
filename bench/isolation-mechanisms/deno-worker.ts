/**
 * The Deno Worker of the isolation-mechanisms bench, started by the Deno host with
 * `deno: { permissions: "none" }` from a blob: URL (bundled by the bench: a Worker with no
 * permissions may not even read its own module file). First it tries to read a file and reports
 * what was thrown, then it serves quotes over the host's SharedArrayBuffer, asleep on the doorbell
 * between frames (or spinning, when told).
 */
import { link, Phase, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, serve } from "./wire.ts";

/** The Deno APIs this file uses (the project's types are Bun's). */
declare const Deno: {
  readTextFileSync(path: string): string;
  permissions: { querySync(d: { name: string }): { state: string } };
};
declare const self: { onmessage: ((e: MessageEvent) => void) | null; postMessage(v: unknown): void };

const napWord = new Int32Array(new SharedArrayBuffer(4));

self.onmessage = (e: MessageEvent) => {
  const { buffer, sleepy } = e.data as { buffer: SharedArrayBuffer; sleepy: boolean };
  let probe = "read allowed";
  try {
    Deno.readTextFileSync("/etc/hostname");
  } catch (err) {
    probe = `${(err as Error).name}: ${(err as Error).message}`;
  }
  self.postMessage({ probe, read: Deno.permissions.querySync({ name: "read" }).state, ffi: Deno.permissions.querySync({ name: "ffi" }).state });
  const l = link(buffer, 0, SAB_BYTES, SAB_BACK, SAB_OUT, SAB_PHASE);
  serve(l, () => void Atomics.wait(napWord, 0, 0, 1), sleepy);
  Atomics.store(l.words, l.phase, Phase.STOP);
};

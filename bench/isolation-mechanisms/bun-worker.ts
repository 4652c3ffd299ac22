/**
 * The Bun Worker of the isolation-mechanisms bench: pins its thread to the core it is given, then
 * either serves quotes over the SharedArrayBuffer's rings (spinning, or asleep on the doorbell) or,
 * with no buffer, answers each structured-clone quote with a postMessage.
 */
import { pinThisThread } from "../../runtime/kernel/thread-affinity.ts";
import { link, Phase, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, serve } from "./wire.ts";

/** The first message: the buffer (null: postMessage ping-pong), the core, and whether to sleep between frames. */
export interface WorkerBoot {
  readonly buffer: SharedArrayBuffer | null;
  readonly cpu: number;
  readonly sleepy: boolean;
}

/** A quote as it crosses by structured clone. */
export interface ClonedQuote {
  instrument: number;
  now: number;
  ts: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

declare const self: { onmessage: ((e: MessageEvent) => void) | null; postMessage(v: unknown): void };

const napWord = new Int32Array(new SharedArrayBuffer(4));
const nap = (): void => void Atomics.wait(napWord, 0, 0, 1);

self.onmessage = (e: MessageEvent) => {
  const boot = e.data as WorkerBoot;
  const pinned = pinThisThread(boot.cpu);
  if (boot.buffer === null) {
    self.onmessage = (m: MessageEvent) => {
      const q = m.data as ClonedQuote;
      self.postMessage(q.bid + q.ask + q.ts);
    };
    self.postMessage({ pinned });
    return;
  }
  self.postMessage({ pinned });
  const l = link(boot.buffer, 0, SAB_BYTES, SAB_BACK, SAB_OUT, SAB_PHASE);
  serve(l, nap, boot.sleepy);
  Atomics.store(l.words, l.phase, Phase.STOP);
};

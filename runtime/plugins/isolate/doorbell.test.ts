/**
 * The doorbell across two real threads: a side that sleeps between frames is woken for every
 * frame. The commit rings the doorbell only when the other side said it sleeps, so a missed wake
 * would leave one side asleep for its whole 60 s timeout and the test would time out.
 */
import { expect, test } from "bun:test";
import { FramePort, PEEK_EMPTY } from "./frames.ts";
import { BACK, BUFFER_BYTES, DOORBELL_BACK, DOORBELL_TO_ISOLATE, FRAME_HEADER, TO_ISOLATE } from "./protocol.ts";

test("20,000 frames ping-pong with both sides sleeping on their doorbells, sent at every point of the other side's falling asleep", async () => {
  const buffer = new SharedArrayBuffer(BUFFER_BYTES);
  const port = new FramePort(buffer, TO_ISOLATE, BACK, DOORBELL_TO_ISOLATE, DOORBELL_BACK);
  const worker = new Worker(new URL("./fixtures/doorbell-echo.ts", import.meta.url).href);
  const done = new Promise<unknown>((resolve) => (worker.onmessage = (ev) => resolve(ev.data)));
  worker.postMessage(buffer);
  const send = (n: number): void => {
    const at = port.begin(1, 8, 0);
    port.view.setFloat64(at, n, true);
    port.commit(FRAME_HEADER + 8);
  };
  let seed = 12345;
  let sink = 0;
  const answers: number[] = [];
  for (let n = 0; n < 20_000; n++) {
    // A pause of 0 to ~4 µs before sending, so the frame lands before, while and after the echo falls asleep.
    seed = (seed * 1103515245 + 12345) >>> 0;
    for (let k = (seed >>> 16) & 1023; k > 0; k--) sink += k;
    send(n);
    while (port.next() === PEEK_EMPTY) port.sleep(60_000);
    answers.push(port.view.getFloat64(port.body(), true));
    port.release();
  }
  send(-1);
  while (port.next() === PEEK_EMPTY) port.sleep(60_000);
  port.release();
  expect(await done).toBe("done");
  worker.terminate();
  expect(sink).toBeGreaterThan(0);
  expect(answers.length).toBe(20_000);
  expect(answers.every((a, n) => a === n)).toBe(true);
}, 120_000);

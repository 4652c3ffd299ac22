/**
 * The shadow log: one JSON line per period with both models' signals per instrument and the mids
 * they are scored against, so the shadow's predictions can be studied afterwards. Lines are
 * buffered and appended off the loop in batches (a timer, at most every `flushMs`), never
 * synchronously on the event path; `close` writes what is left.
 *
 * Line: `{"ts":<µs>,"live":"<ref>","shadow":"<ref>","liveSignal":[...],"shadowSignal":[...],"mid2":[...]}`
 * (a missing signal is null; mid2 is twice the mid in price ticks, 0 when the book is not valid).
 */
import { appendFile, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const num = (x: number) => (Number.isFinite(x) ? x : null);

/** Appends shadow samples to a JSON-lines file in batches. */
export class ShadowLog {
  private lines: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  /** Lines written so far, and the last write error ("" when none). */
  written = 0;
  error = "";

  constructor(readonly path: string, flushMs = 1000, private readonly onError?: (context: string) => void) {
    mkdirSync(dirname(path), { recursive: true });
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref?.();
  }

  /** Buffers one period's sample (allocates one line; once per period, not per event). */
  record(ts: number, live: string, shadow: string, liveSignal: ArrayLike<number>, shadowSignal: ArrayLike<number>, mid2: (i: number) => number): void {
    const n = liveSignal.length;
    const l = new Array<number | null>(n);
    const s = new Array<number | null>(n);
    const m = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      l[i] = num(liveSignal[i]!);
      s[i] = num(shadowSignal[i]!);
      m[i] = mid2(i);
    }
    this.lines.push(JSON.stringify({ ts, live, shadow, liveSignal: l, shadowSignal: s, mid2: m }));
  }

  /** Starts appending the buffered lines (returns at once; writes are chained in order). */
  flush(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines;
    this.lines = [];
    const text = `${batch.join("\n")}\n`;
    this.writing = this.writing.then(
      () =>
        new Promise<void>((done) =>
          appendFile(this.path, text, (err) => {
            if (err) {
              if (this.error === "") this.onError?.(`path=${this.path} error=${JSON.stringify(err.message)}`);
              this.error = err.message;
            } else this.written += batch.length;
            done();
          }),
        ),
    );
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await this.writing;
  }
}

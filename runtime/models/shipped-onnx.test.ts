/**
 * The shipped vol-window ONNX files, as onnxruntime-node serves them in process (one intra-op
 * thread, one 28-instrument batch), give PyTorch's outputs of the trained model within each card's
 * tolerance on real kernel windows (Dukascopy EURUSD; the calendar variates of a card that reads
 * them appended as the model engine does). The files are exported in the grouped serving form
 * (models/vol_window/grouped.py); PyTorch's reference is the training form (`Exported`), and the
 * two forms must agree exactly in PyTorch.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { realWindows } from "../../gpu-bridge/inference/test-windows.ts";
import { needsTools } from "../testing/system-tools.ts";
import { extraVariates } from "./time-variates.ts";

const USE = needsTools("models: shipped vol-window ONNX against PyTorch", "torch");
const CARDS = ["models/vol-window.json", "models/vol-window-2/vol-window.json"];
const OUTPUTS = ["signal", "vol_prob", "log_rv", "direction"] as const;
const N = 28;
const dir = mkdtempSync(join(tmpdir(), "kestrel-shipped-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 28 real windows of the card's rows and width (kernel features, then its calendar variates at distinct times). */
function windowsFor(card: { rows: number; width: number; extraVariates?: string[] }): Float32Array {
  const { windows, width: kw } = realWindows(N, card.rows);
  const extra = card.extraVariates ?? [];
  expect(kw + extra.length).toBe(card.width);
  const out = new Float32Array(N * card.rows * card.width);
  const ev = new Float32Array(extra.length);
  for (let i = 0; i < N; i++) {
    extraVariates(extra, Date.UTC(2014, 4, 7, 0, 0, 0) * 1000 + i * 3_083_000_000, ev);
    for (let r = 0; r < card.rows; r++) {
      const src = (i * card.rows + r) * kw;
      const dst = (i * card.rows + r) * card.width;
      out.set(windows.subarray(src, src + kw), dst);
      out.set(ev, dst + kw);
    }
  }
  return out;
}

describe.skipIf(!USE)("shipped vol-window ONNX files", () => {
  for (const cardPath of CARDS) {
    test(`${cardPath}: onnxruntime-node equals PyTorch within the card's tolerance on real windows`, async () => {
      const card = JSON.parse(readFileSync(cardPath, "utf8"));
      const x = windowsFor(card);
      const file = join(dir, `${card.version.replace("/", "-")}.f32`);
      writeFileSync(file, x);
      const py = Bun.spawnSync(["/usr/bin/python3", "models/vol_window/grouped.py", "reference", cardPath, file, String(N)], { stderr: "pipe" });
      expect(py.exitCode, py.stderr.toString().slice(-400)).toBe(0);
      // The serving form is the training form's arithmetic: equal in PyTorch, not merely close.
      for (const l of py.stdout.toString().trim().split("\n")) expect(JSON.parse(l).maxAbsDiffTorch).toBe(0);
      const session = await ort.InferenceSession.create(join(dirname(cardPath), card.onnx), { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const out = await session.run({ context: new ort.Tensor("float32", x, [N, card.rows, card.width]) });
      await session.release();
      for (const o of OUTPUTS) {
        const ref = new Float32Array(readFileSync(`${file}.${o}`.concat(".f32")).buffer.slice(0));
        const got = out[o]!.data as Float32Array;
        expect(got.length).toBe(ref.length);
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
        expect(worst).toBeLessThanOrEqual(card.onnxParity.tolerance);
      }
      // Real windows move the signal: not a constant output.
      const s = out.signal!.data as Float32Array;
      expect(Math.max(...s) - Math.min(...s)).toBeGreaterThan(1e-3);
    }, 120_000);
  }
});

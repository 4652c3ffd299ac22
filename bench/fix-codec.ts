/**
 * FIX codec throughput: Kestrel's decoder and encoder against jspurefix's on the same
 * ExecutionReport and MarketDataIncrementalRefresh, in the same process.
 *
 * Decode = frame (BodyLength, CheckSum) + tokenise + dictionary validation into a view; the
 * Kestrel "+read" row also reads the prices and sizes as scaled integers. jspurefix's side is
 * its AsciiParser at view depth (tokenise, structure, view), fed the same stream of messages.
 * Encode = build a complete message (header, body, BodyLength, CheckSum): Kestrel from integer
 * values through FixEncoder, jspurefix from an object through AsciiMsgTransmitter.encodeMessage.
 * Run: bun bench/fix-codec.ts
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { FixDecoder } from "../plugins/venues/fix44/codec/decode.ts";
import { FixEncoder } from "../plugins/venues/fix44/codec/encode.ts";
import { jspurefixDir, standardDictionary } from "../plugins/venues/fix44/dictionary/load.ts";
import { sampleExecutionReport, sampleIncrementalRefresh } from "../plugins/venues/fix44/testing/messages.ts";

// jspurefix is the FIX venue's own dependency (plugins/venues/fix44/package.json), resolved from there.
const require = createRequire(join(jspurefixDir(), "package.json"));
require("reflect-metadata");
const jsp = (p: string) => require(`jspurefix/dist/${p}`);
const { SessionContainer } = jsp("runtime");
const { DITokens } = jsp("runtime/di-tokens");
const { DefinitionFactory } = jsp("util");
const { AsciiChars, AsciiParser } = jsp("buffer/ascii");
const { makeSessionScope } = jsp("runtime/session-scope");
const { AsciiMsgTransmitter } = jsp("transport/ascii/ascii-msg-transmitter");

const COPIES = 2000;
let ROUND_MS = 400; // set by measureFixCodec
let ROUNDS = 5;

/** Best throughput (ops/s) over ROUNDS rounds of about ROUND_MS each, by wall clock and by process CPU time; `fn` does `batch` ops per call. */
function measureBoth(batch: number, fn: () => void): { wall: number; cpu: number } {
  for (let i = 0; i < 20; i++) fn();
  let best = 0, bestCpu = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let ops = 0;
    const c0 = process.cpuUsage();
    const t0 = Bun.nanoseconds();
    let t = t0;
    while (t - t0 < ROUND_MS * 1e6) {
      fn();
      ops += batch;
      t = Bun.nanoseconds();
    }
    const c = process.cpuUsage(c0);
    best = Math.max(best, ops / ((t - t0) / 1e9));
    bestCpu = Math.max(bestCpu, ops / ((c.user + c.system) / 1e6));
  }
  return { wall: best, cpu: bestCpu };
}

/** Best wall-clock throughput (ops/s); see `measureBoth`. */
function measure(batch: number, fn: () => void): number {
  return measureBoth(batch, fn).wall;
}

function stream(msg: Uint8Array, copies: number): Uint8Array {
  const out = new Uint8Array(msg.length * copies);
  for (let i = 0; i < copies; i++) out.set(msg, i * msg.length);
  return out;
}

/**
 * Kestrel and jspurefix msgs/s per case (best of `rounds` rounds of `roundMs`), as [case, kestrel,
 * jspurefix, kestrel per CPU-second]; the last is the steadier figure on a loaded machine.
 */
export async function measureFixCodec(opts: { rounds: number; roundMs: number; onlyExecutionReport: boolean }): Promise<[string, number, number, number][]> {
  ROUNDS = opts.rounds;
  ROUND_MS = opts.roundMs;
  // ---- jspurefix set-up --------------------------------------------------------------------
  const sys = new SessionContainer();
  sys.registerGlobal("error");
  const description = require("jspurefix/data/session/test-initiator.json");
  const container = await sys.makeSystem(description);
  const config = container.resolve(DITokens.IJsFixConfig);
  config.definitions = await new DefinitionFactory().getDefinitions("qf44");
  config.delimiter = AsciiChars.Soh;
  const scope = makeSessionScope(config);
  const parser = new AsciiParser(scope, null, scope.sessionContainer.resolve(DITokens.ParseBuffer), scope.sessionContainer.resolve(DITokens.maxMessageLen));
  let jspDecoded = 0;
  parser.on("msg", () => { jspDecoded++; });
  const transmitter = new AsciiMsgTransmitter(scope);
  transmitter.time = new Date(1_764_000_000_123);

  // ---- Kestrel set-up ----------------------------------------------------------------------
  const dict = standardDictionary("FIX44");
  const dec = new FixDecoder(dict);
  const enc = new FixEncoder("FIX.4.4");
  const T0 = 1_764_000_000_123_000;

  const cases = [
    { name: "ExecutionReport", msg: sampleExecutionReport(), read: (m: typeof dec.message) => m.scaled(31, 5) + m.scaled(32, 0) + m.scaled(14, 0) },
    {
      name: "MDIncrementalRefresh", msg: sampleIncrementalRefresh(),
      read: (m: typeof dec.message) => {
        let s = 0;
        const g = m.indexOf(268);
        for (let k = 0, p = g + 1, n = m.intAt(g); k < n; k++, p = m.endOf(p)) s += m.scaledIn(270, p, m.endOf(p), 5) + m.scaledIn(271, p, m.endOf(p), 0);
        return s;
      },
    },
  ];

  function kestrelDecode(buf: Uint8Array, read: ((m: typeof dec.message) => number) | undefined): number {
    let p = 0, sum = 0, count = 0;
    while (p < buf.length) {
      const n = dec.frame(buf, p, buf.length);
      if (n <= 0 || dec.decodeFramed(buf, p, n) !== 0) throw new Error("decode failed");
      if (read !== undefined) sum += read(dec.message);
      p += n;
      count++;
    }
    if (count !== COPIES || Number.isNaN(sum)) throw new Error("bad decode");
    return sum;
  }

  function kestrelEncodeEr(seq: number): Uint8Array {
    return enc.begin("8").str(49, "LP1").str(56, "KESTREL").int(34, seq).timestamp(52, T0)
      .str(37, "O-1001").str(11, "C-42").str(17, "E-9001").char(150, 70).char(39, 50)
      .str(55, "EURUSD").char(54, 49).scaled(38, 1_000_000, 0).char(40, 50).scaled(44, 110_015, 5)
      .scaled(32, 1_000_000, 0).scaled(31, 110_012, 5).scaled(151, 0, 0).scaled(14, 1_000_000, 0)
      .scaled(6, 110_012, 5).timestamp(60, T0).str(58, "filled").finish();
  }

  const PX = [110_010, 110_009, 110_020, 110_021];
  function kestrelEncodeMd(seq: number): Uint8Array {
    enc.begin("X").str(49, "LP1").str(56, "KESTREL").int(34, seq).timestamp(52, T0).str(262, "md-1").int(268, 4);
    for (let k = 0; k < 4; k++) {
      enc.char(279, 48 + (k & 1)).char(269, k < 2 ? 48 : 49).str(278, `e${k}`).str(55, "EURUSD").scaled(270, PX[k] as number, 5).scaled(271, 1_000_000 * (k + 1), 0);
    }
    return enc.finish();
  }

  const jspEr = {
    OrderID: "O-1001", ClOrdID: "C-42", ExecID: "E-9001", ExecType: "F", OrdStatus: "2", Instrument: { Symbol: "EURUSD" }, Side: "1",
    OrderQtyData: { OrderQty: 1_000_000 }, OrdType: "2", Price: 1.10015, LastQty: 1_000_000, LastPx: 1.10012, LeavesQty: 0, CumQty: 1_000_000,
    AvgPx: 1.10012, TransactTime: new Date(1_764_000_000_123), Text: "filled",
  };
  const jspMd = {
    MDReqID: "md-1",
    MDIncGrp: { NoMDEntries: PX.map((px, k) => ({ MDUpdateAction: String(k & 1), MDEntryType: k < 2 ? "0" : "1", MDEntryID: `e${k}`, Instrument: { Symbol: "EURUSD" }, MDEntryPx: px / 1e5, MDEntrySize: 1_000_000 * (k + 1) })) },
  };

  function jspEncode(msgType: string, obj: object): Buffer {
    transmitter.encoder.reset();
    transmitter.encodeMessage(msgType, obj);
    return transmitter.encoder.trim();
  }

  // Sanity: both encoders produce messages our decoder accepts.
  for (const [type, obj] of [["8", jspEr], ["X", jspMd]] as const) {
    const bytes = new Uint8Array(jspEncode(type, obj));
    const code = new FixDecoder(dict, { validate: false }).decode(bytes);
    if (code !== 0) throw new Error(`jspurefix ${type} did not frame: ${code}`);
  }

  const rows: [string, number, number, number][] = [];
  for (const c of cases) {
    if (opts.onlyExecutionReport && c.name !== "ExecutionReport") continue;
    const buf = stream(c.msg, COPIES);
    const jspBuf = Buffer.from(buf);
    const ours = measureBoth(COPIES, () => kestrelDecode(buf, undefined));
    const oursRead = measureBoth(COPIES, () => kestrelDecode(buf, c.read));
    const theirs = measure(COPIES, () => {
      jspDecoded = 0;
      parser.parseBuffer(jspBuf);
      if (jspDecoded !== COPIES) throw new Error(`jspurefix decoded ${jspDecoded}`);
    });
    rows.push([`decode ${c.name}`, ours.wall, theirs, ours.cpu], [`decode+read ${c.name}`, oursRead.wall, theirs, oursRead.cpu]);
  }
  let seq = 1;
  if (!opts.onlyExecutionReport) {
    const er = measureBoth(1000, () => { for (let i = 0; i < 1000; i++) kestrelEncodeEr(seq++); });
    rows.push([`encode ExecutionReport`, er.wall, measure(100, () => { for (let i = 0; i < 100; i++) jspEncode("8", jspEr); }), er.cpu]);
    const md = measureBoth(1000, () => { for (let i = 0; i < 1000; i++) kestrelEncodeMd(seq++); });
    rows.push([`encode MDIncrementalRefresh`, md.wall, measure(100, () => { for (let i = 0; i < 100; i++) jspEncode("X", jspMd); }), md.cpu]);
  }
  return rows;
}

if (import.meta.main) {
  const rows = await measureFixCodec({ rounds: 5, roundMs: 400, onlyExecutionReport: false });
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(12);
  console.log(`FIX codec throughput (msgs/s, best of ${ROUNDS} x ${ROUND_MS} ms), Bun ${Bun.version}`);
  console.log(`${"case".padEnd(34)}${"kestrel".padStart(12)}${"jspurefix".padStart(12)}${"ratio".padStart(9)}${"kestrel/CPU-s".padStart(15)}`);
  for (const [name, ours, theirs, cpu] of rows) console.log(`${name.padEnd(34)}${fmt(ours)}${fmt(theirs)}${(ours / theirs).toFixed(1).padStart(8)}x${fmt(cpu).padStart(15)}`);
  const ratios = rows.map(([name, ours, theirs]) => `${name.split(" ")[0]} ${name.split(" ")[1]?.slice(0, 4)} ${(ours / theirs).toFixed(1)}x`);
  const minRatio = Math.min(...rows.map(([, o, t]) => o / t));
  console.log(`headline: kestrel/jspurefix ${ratios.join(", ")}; min ${minRatio.toFixed(1)}x`);
}

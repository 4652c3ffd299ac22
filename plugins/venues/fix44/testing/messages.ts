/**
 * Sample FIX 4.4 messages shared by the tests, the fuzz test and the benchmarks: an
 * ExecutionReport (fill) and a MarketDataIncrementalRefresh with four entries, built with the
 * encoder so their BodyLength and CheckSum are right.
 */
import { FixEncoder } from "../codec/encode.ts";

const T0 = 1_764_000_000_123_000;

/** Builds an ExecutionReport fill as bytes (a fresh copy). */
export function sampleExecutionReport(seq = 7, enc = new FixEncoder("FIX.4.4")): Uint8Array {
  enc.begin("8").str(49, "LP1").str(56, "KESTREL").int(34, seq).timestamp(52, T0)
    .str(37, "O-1001").str(11, "C-42").str(17, "E-9001").char(150, 70).char(39, 50)
    .str(55, "EURUSD").char(54, 49).scaled(38, 1_000_000, 0).char(40, 50).scaled(44, 110_015, 5)
    .scaled(32, 1_000_000, 0).scaled(31, 110_012, 5).scaled(151, 0, 0).scaled(14, 1_000_000, 0)
    .scaled(6, 110_012, 5).timestamp(60, T0).str(58, "filled");
  return enc.finish().slice();
}

/** Builds a MarketDataIncrementalRefresh with two bids and two offers as bytes (a fresh copy). */
export function sampleIncrementalRefresh(seq = 8, enc = new FixEncoder("FIX.4.4")): Uint8Array {
  enc.begin("X").str(49, "LP1").str(56, "KESTREL").int(34, seq).timestamp(52, T0).str(262, "md-1").int(268, 4);
  const px = [110_010, 110_009, 110_020, 110_021];
  for (let k = 0; k < 4; k++) {
    enc.char(279, 48 + (k & 1)).char(269, k < 2 ? 48 : 49).str(278, `e${k}`).str(55, "EURUSD")
      .scaled(270, px[k] as number, 5).scaled(271, 1_000_000 * (k + 1), 0);
  }
  return enc.finish().slice();
}

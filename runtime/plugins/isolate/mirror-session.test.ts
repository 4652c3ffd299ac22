/**
 * The mirror's skips against a real session: the runtime's counts (market events per instrument,
 * position changes, order changes) move whenever what the mirror shows changes, so a mirror kept
 * across every event of a trading session equals, after each event, a first write into a zeroed
 * region (instrument records and header).
 */
import { afterAll, expect, test } from "bun:test";
import { H_OPEN, HEADER_WORDS, MIRROR_BYTES, ORDERS_AT } from "./mirror-layout.ts";
import { MirrorWriter } from "./mirror-writer.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";

const tmp = tempDir("kestrel-mirror-session-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP, GBPUSD] }
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD] }`;

test("a mirror kept across 20,000 events of a trading session equals a fresh write after each one", async () => {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 300 }), { journalPath: "", store: false });
  s.core.host.start();
  const ctx = s.core.host.get("mm")!.ctx;
  const kept = new SharedArrayBuffer(MIRROR_BYTES);
  const writer = new MirrorWriter(kept, 0, ctx);
  const from = HEADER_WORDS * 8;
  const bytes = (ORDERS_AT - HEADER_WORDS) * 8;
  let fills = 0;
  let mismatches = 0;
  let events = 0;
  const fillsBefore = s.core.portfolio.fillCount;
  for (; events < 20_000 && s.loop.runUntil(Infinity, 1) > 0; events++) {
    writer.write(ctx);
    const fresh = new SharedArrayBuffer(MIRROR_BYTES);
    new MirrorWriter(fresh, 0, ctx).write(ctx);
    const same = Buffer.from(kept, from, bytes).equals(Buffer.from(fresh, from, bytes)) && Buffer.from(kept, 0, H_OPEN * 8).equals(Buffer.from(fresh, 0, H_OPEN * 8));
    if (!same) mismatches++;
  }
  fills = s.core.portfolio.fillCount - fillsBefore;
  await s.close();
  expect(events).toBe(20_000);
  // The run moved positions and orders, so the skips were exercised both ways.
  expect(fills).toBeGreaterThan(0);
  expect(mismatches).toBe(0);
}, 60_000);

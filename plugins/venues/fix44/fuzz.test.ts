/**
 * Fuzzing the parser and the session with mutated messages. CI runs 100 000 decoder mutations
 * and 20 000 session mutations; set KESTREL_FIX_FUZZ=<n> for a longer run (n decoder mutations
 * and n/5 session ones), e.g. KESTREL_FIX_FUZZ=1000000. Asserts: nothing throws, every refusal
 * carries a catalogue code and context, every Reject we send has a SessionRejectReason and
 * text, and the session stays consistent.
 */
import { describe, expect, test } from "bun:test";
import { FixDecoder } from "./codec/decode.ts";
import { FIX_ERROR_CODES, FixError, describeFixError } from "./codec/errors.ts";
import { standardDictionary } from "./dictionary/load.ts";
import { FixSession } from "./session/session.ts";
import { MemoryMessageStore } from "./session/store.ts";
import { Rng, corpus, mutate, reframe } from "./testing/mutate.ts";
import { RecordingIo, ScriptedPeer } from "./testing/peer.ts";

const N = Number(process.env.KESTREL_FIX_FUZZ ?? 100_000);
const dict = standardDictionary("FIX44");

describe("fuzz", () => {
  test(`${N} mutated messages at the decoder: no throw, every refusal coded`, () => {
    const rng = new Rng(0xC0FFEE);
    const dec = new FixDecoder(dict);
    const msgs = corpus();
    const seenCodes = new Set<string>();
    let accepted = 0;
    for (let i = 0; i < N; i++) {
      const raw = mutate(rng, msgs[rng.int(msgs.length)] as Uint8Array, msgs[rng.int(msgs.length)] as Uint8Array);
      const m = rng.int(2) === 0 ? reframe(raw) : raw;
      // Whole-buffer decode.
      const code = dec.decode(m);
      if (code === FixError.None) {
        accepted++;
        if (dec.message.msgType === "" || dec.message.count < 4) throw new Error(`accepted without a type: ${i}`);
      } else {
        const name = FIX_ERROR_CODES[code];
        if (name === undefined || !describeFixError(dec.error).startsWith(name)) throw new Error(`uncoded refusal ${code} at ${i}`);
        seenCodes.add(name);
      }
      // Stream framing always makes progress or waits for more bytes.
      let p = 0;
      while (p < m.length) {
        const n = dec.frame(m, p, m.length);
        if (n === 0) break;
        if (n > 0) dec.decodeFramed(m, p, n);
        p += Math.abs(n);
      }
    }
    expect(accepted).toBeGreaterThan(0);
    for (const c of ["FIX_GARBLED", "FIX_BAD_CHECKSUM", "FIX_BAD_LENGTH", "FIX_TRUNCATED"]) expect(seenCodes).toContain(c);
  }, 60_000);

  test(`${Math.floor(N / 5)} mutated messages at the session: no throw, every refusal with a reason`, () => {
    const rng = new Rng(0xBADF00D);
    const io = new RecordingIo(dict);
    const store = new MemoryMessageStore();
    const session = new FixSession({ dict, senderCompID: "KESTREL", targetCompID: "LP1", heartBtIntSec: 30 }, store, io);
    const peer = new ScriptedPeer(dict);
    let now = 1_764_000_000_000_000;
    const logon = () => {
      store.reset();
      peer.nextSeq = 1;
      session.connected(now);
      session.receive(peer.message("A", [[98, 0], [108, 30]]), now);
    };
    logon();
    let reconnects = 0;
    let answered = 0;
    for (let i = 0; i < N / 5; i++) {
      now += 1000;
      if (session.state === "disconnected") { reconnects++; logon(); }
      const msgs = corpus(peer.nextSeq);
      const pick = rng.int(4);
      const mutated = mutate(rng, msgs[rng.int(msgs.length)] as Uint8Array, msgs[rng.int(msgs.length)] as Uint8Array);
      const m = pick === 0 ? (msgs[rng.int(msgs.length)] as Uint8Array) : pick === 1 ? mutated : reframe(mutated);
      peer.nextSeq++;
      // Random chunking exercises buffering.
      const cut = rng.int(m.length + 1);
      session.receive(m.subarray(0, cut), now);
      session.receive(m.subarray(cut), now);
      if (i % 97 === 0) session.timer(now);
      // The peer answers our ResendRequests with a gap fill, as a counterparty with nothing to resend would.
      for (; answered < io.sent.length; answered++) {
        const out = io.sent[answered];
        if (out?.type !== "2" || session.state !== "active") continue;
        const from = Number(out.fields.get(7));
        session.receive(peer.message("4", [[123, "Y"], [36, peer.nextSeq]], { seq: from, possDup: true }), now);
      }
      if (store.received.length > 1000) store.received.length = 0;
    }
    for (const e of io.events) {
      if (e.code === "FIX_SESSION_INBOUND_REJECTED" || e.code === "FIX_SESSION_INBOUND_DROPPED" || e.code === "FIX_SESSION_PROTOCOL_ERROR") {
        expect(e.detail).toMatch(/(^|\s)FIX_[A-Z_]+(:|\s|$)/);
      }
    }
    expect(io.codes()).toContain("FIX_SESSION_INBOUND_REJECTED");
    const rejects = io.sent.filter((m) => m.type === "3");
    expect(rejects.length).toBeGreaterThan(0);
    for (const r of rejects) {
      expect(r.fields.get(58)).toMatch(/^FIX_[A-Z_]+/);
      expect(r.fields.has(45)).toBe(true);
    }
    expect(io.delivered.length).toBeGreaterThan(0);
    expect(reconnects).toBeGreaterThan(0);
  }, 120_000);
});

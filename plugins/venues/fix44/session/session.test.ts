import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FixSession } from "./session.ts";
import { MemoryMessageStore, type MessageStore } from "./store.ts";
import { FileMessageStore } from "./file-store.ts";
import { validateSessionConfig, type SessionConfig } from "./types.ts";
import { standardDictionary } from "../dictionary/load.ts";
import { RecordingIo, ScriptedPeer } from "../testing/peer.ts";
import { fixBytes } from "../codec/encode.ts";

const dict = standardDictionary("FIX44");
const S = 1_000_000;
const T0 = 1_764_000_000_000_000;
const config: SessionConfig = { dict, senderCompID: "KESTREL", targetCompID: "LP1", heartBtIntSec: 30 };

function setup(store: MessageStore = new MemoryMessageStore(), cfg: SessionConfig = config) {
  const io = new RecordingIo(dict);
  const session = new FixSession(cfg, store, io);
  const peer = new ScriptedPeer(dict);
  return { io, session, peer, store };
}

function loggedOn(store?: MessageStore) {
  const t = setup(store);
  t.session.connected(T0);
  t.session.receive(t.peer.message("A", [[98, 0], [108, 30]]), T0 + 1000);
  return t;
}

function sendOrder(session: FixSession, id: string, now: number): number {
  const enc = session.beginMessage("D", now);
  if (enc === undefined) return -1;
  enc.str(11, id).str(55, "EURUSD").char(54, 49).timestamp(60, now).scaled(38, 1000, 0).char(40, 50).scaled(44, 110015, 5);
  return session.commit();
}

describe("logon and logout", () => {
  test("connecting sends a Logon with the heartbeat interval and a Logon answer makes the session active", () => {
    const { io, session } = loggedOn();
    expect(io.sent[0]?.type).toBe("A");
    expect(io.sent[0]?.fields.get(108)).toBe("30");
    expect(io.sent[0]?.seq).toBe(1);
    expect(session.state).toBe("active");
    expect(io.codes()).toContain("FIX_SESSION_LOGON");
  });

  test("a first message other than Logon drops the connection with a reason", () => {
    const { io, session, peer } = setup();
    session.connected(T0);
    session.receive(peer.message("0"), T0 + 1);
    expect(session.state).toBe("disconnected");
    expect(io.disconnects[0]).toStartWith("FIX_SESSION_FIRST_NOT_LOGON");
  });

  test("logout waits for the answer, then disconnects; a silent peer times the logout out", () => {
    const a = loggedOn();
    a.session.logout(T0 + S, "bye");
    expect(a.io.sent.at(-1)?.type).toBe("5");
    expect(a.session.state).toBe("logout-sent");
    a.session.receive(a.peer.message("5"), T0 + 2 * S);
    expect(a.session.state).toBe("disconnected");
    const b = loggedOn();
    b.session.logout(T0 + S);
    b.session.timer(T0 + 4 * S);
    expect(b.io.disconnects).toEqual(["FIX_SESSION_LOGOUT_TIMEOUT"]);
  });

  test("a Logout from the counterparty is answered and the connection dropped", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("5", [[58, "end of day"]]), T0 + S);
    expect(io.sent.at(-1)?.type).toBe("5");
    expect(session.state).toBe("disconnected");
  });

  test("logon timeout and reconnect backoff doubles up to the cap, reset by a good logon", () => {
    const { io, session } = setup(new MemoryMessageStore(), { ...config, reconnectMinMs: 100, reconnectMaxMs: 1000 });
    session.connected(T0);
    session.timer(T0 + 11 * S);
    expect(io.disconnects).toEqual(["FIX_SESSION_LOGON_TIMEOUT"]);
    expect(session.reconnectDelayMs()).toBe(200);
    for (let k = 0; k < 5; k++) session.connectFailed(T0, "ECONNREFUSED");
    expect(session.reconnectDelayMs()).toBe(1000);
  });

  test("configuration problems are all reported at once", () => {
    expect(validateSessionConfig({ ...config, senderCompID: "", heartBtIntSec: 0 }).map((p) => p.path)).toEqual(["senderCompID", "heartBtIntSec"]);
  });
});

describe("heartbeats", () => {
  test("an idle session sends a Heartbeat after HeartBtInt, and a TestRequest when the peer is silent", () => {
    const { io, session, peer } = loggedOn();
    session.timer(T0 + 10 * S);
    expect(io.sent.length).toBe(1);
    session.receive(peer.message("0"), T0 + 20 * S);
    session.timer(T0 + 31 * S);
    expect(io.sent.at(-1)?.type).toBe("0");
    session.timer(T0 + 20 * S + 37 * S);
    const tr = io.sent.at(-1);
    expect(tr?.type).toBe("1");
    session.receive(peer.message("0", [[112, tr?.fields.get(112) ?? ""]]), T0 + 60 * S);
    session.timer(T0 + 80 * S);
    expect(session.state).toBe("active");
  });

  test("a TestRequest is answered with its TestReqID and an unanswered one drops the connection", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("1", [[112, "ping-7"]]), T0 + S);
    expect(io.sent.at(-1)?.type).toBe("0");
    expect(io.sent.at(-1)?.fields.get(112)).toBe("ping-7");
    session.timer(T0 + 40 * S);
    expect(io.sent.at(-1)?.type).toBe("1");
    session.timer(T0 + 71 * S);
    expect(session.state).toBe("disconnected");
    expect(io.disconnects[0]).toStartWith("FIX_SESSION_PEER_SILENT");
  });
});

describe("sequence numbers", () => {
  test("a gap from the counterparty asks for a resend and replays queued messages in order after the gap fill", () => {
    const { io, session, peer } = loggedOn();
    peer.nextSeq = 5; // 2..4 lost
    session.receive(peer.message("8", er("E5")), T0 + S);
    expect(io.sent.at(-1)?.type).toBe("2");
    expect(io.sent.at(-1)?.fields.get(7)).toBe("2");
    expect(io.delivered.length).toBe(0);
    session.receive(peer.message("8", er("E6")), T0 + S);
    expect(io.sent.filter((m) => m.type === "2").length).toBe(1);
    session.receive(peer.message("8", er("E2"), { seq: 2, possDup: true }), T0 + 2 * S);
    session.receive(peer.message("4", [[123, "Y"], [36, 5]], { seq: 3, possDup: true }), T0 + 2 * S);
    expect(io.delivered.map((m) => m.fields.get(17))).toEqual(["E2", "E5", "E6"]);
    expect(io.delivered[0]?.fields.get(43)).toBe("Y");
    expect(session.store.nextTargetSeq).toBe(7);
    expect(io.codes()).toContain("FIX_SESSION_GAP_FILLED");
    session.receive(peer.message("8", er("E5"), { seq: 5, possDup: true }), T0 + 3 * S);
    expect(io.codes().at(-1)).toBe("FIX_SESSION_DUPLICATE_IGNORED");
    expect(io.delivered.length).toBe(3);
  });

  test("a gap fill that jumps over a message we did receive still delivers that message", () => {
    const { io, session, peer } = loggedOn();
    peer.nextSeq = 6;
    session.receive(peer.message("8", er("E6")), T0 + S);
    session.receive(peer.message("4", [[123, "Y"], [36, 7]], { seq: 2, possDup: true }), T0 + S);
    expect(io.delivered.map((m) => m.fields.get(17))).toEqual(["E6"]);
    expect(session.store.nextTargetSeq).toBe(7);
  });

  test("a ResendRequest is served from the store: orders again with PossDupFlag, admin messages as one gap fill", () => {
    const { io, session, peer } = loggedOn();
    sendOrder(session, "C1", T0 + S); // seq 2
    session.timer(T0 + 40 * S); // heartbeat, seq 3
    session.receive(peer.message("0"), T0 + 40 * S);
    sendOrder(session, "C2", T0 + 41 * S); // seq 4
    const before = io.sent.length;
    session.receive(peer.message("2", [[7, 1], [16, 0]]), T0 + 42 * S);
    const resent = io.sent.slice(before);
    expect(resent.map((m) => `${m.type}:${m.seq}`)).toEqual(["4:1", "D:2", "4:3", "D:4"]);
    expect(resent[0]?.fields.get(123)).toBe("Y");
    expect(resent[0]?.fields.get(36)).toBe("2");
    expect(resent[2]?.fields.get(36)).toBe("4");
    expect(resent[1]?.fields.get(43)).toBe("Y");
    expect(resent[1]?.fields.get(122)).toBe(io.sent[1]?.fields.get(52));
    expect(resent[3]?.fields.get(11)).toBe("C2");
    expect(session.store.nextSenderSeq).toBe(5);
  });

  test("a Logon with ResetSeqNumFlag restarts the counterparty's numbering", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("0"), T0 + S);
    session.disconnected(T0 + 2 * S, "test");
    session.connected(T0 + 3 * S);
    peer.nextSeq = 1;
    session.receive(peer.message("A", [[98, 0], [108, 30], [141, "Y"]]), T0 + 3 * S);
    expect(session.state).toBe("active");
    expect(session.store.nextTargetSeq).toBe(2);
    expect(io.codes()).toContain("FIX_SESSION_SEQ_RESET");
  });

  test("a sequence number below the expected one without PossDupFlag logs out and disconnects", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("0", [], { seq: 1 }), T0 + S);
    expect(io.sent.at(-1)?.type).toBe("5");
    expect(io.sent.at(-1)?.fields.get(58)).toBe("MsgSeqNum too low, expecting 2 but received 1");
    expect(session.state).toBe("disconnected");
  });

  test("SequenceReset in reset mode moves the expected number forward and refuses to move it back", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("4", [[36, 20]], { seq: 99 }), T0 + S);
    expect(session.store.nextTargetSeq).toBe(20);
    session.receive(peer.message("4", [[36, 3]], { seq: 20 }), T0 + S);
    expect(io.sent.at(-1)?.type).toBe("3");
    expect(io.sent.at(-1)?.fields.get(373)).toBe("5");
    expect(session.store.nextTargetSeq).toBe(20);
  });

  test("a daily schedule logs out at the end of the day and resets sequence numbers on the next logon", () => {
    const cfg = { ...config, dailyResetUtcMinutes: 22 * 60 };
    const day = 86_400 * S;
    const evening = Math.floor(T0 / day) * day + 21 * 3600 * S; // 21:00 UTC
    const { io, session, peer, store } = setup(new MemoryMessageStore(), cfg);
    session.connected(evening);
    expect(io.sent[0]?.fields.get(141)).toBe("Y"); // first connection of this session day
    session.receive(peer.message("A", [[98, 0], [108, 30], [141, "Y"]]), evening);
    sendOrder(session, "C1", evening + S);
    session.receive(peer.message("0"), evening + 10 * S);
    session.timer(evening + 20 * S);
    expect(session.state).toBe("active");
    session.timer(evening + 3600 * S + S); // 22:00:01
    expect(io.codes()).toContain("FIX_SESSION_END_OF_DAY");
    expect(io.sent.at(-1)?.type).toBe("5");
    session.receive(peer.message("5"), evening + 3601 * S);
    session.connected(evening + 3700 * S);
    const logon = io.sent.at(-1);
    expect([logon?.type, logon?.seq, logon?.fields.get(141)]).toEqual(["A", 1, "Y"]);
    expect(store.nextTargetSeq).toBe(1);
    // Reconnecting within the same day keeps the numbers.
    peer.nextSeq = 1;
    session.receive(peer.message("A", [[98, 0], [108, 30], [141, "Y"]]), evening + 3700 * S);
    session.disconnected(evening + 3800 * S, "test");
    session.connected(evening + 3900 * S);
    expect(io.sent.at(-1)?.seq).toBe(2);
    expect(io.sent.at(-1)?.fields.has(141)).toBe(false);
  });

  test("sequence numbers and sent messages survive a restart with the file store", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-fix-store-"));
    try {
      const a = loggedOn(new FileMessageStore(dir));
      sendOrder(a.session, "C1", T0 + S);
      a.session.receive(a.peer.message("0"), T0 + S);
      a.store.close();
      const store = new FileMessageStore(dir);
      expect(store.nextSenderSeq).toBe(3);
      expect(store.nextTargetSeq).toBe(3);
      const b = setup(store);
      b.session.connected(T0 + 5 * S);
      expect(b.io.sent[0]?.seq).toBe(3);
      b.peer.nextSeq = 3;
      b.session.receive(b.peer.message("A", [[98, 0], [108, 30]]), T0 + 5 * S);
      b.session.receive(b.peer.message("2", [[7, 2], [16, 2]]), T0 + 6 * S);
      expect(b.io.sent.at(-1)?.type).toBe("D");
      expect(b.io.sent.at(-1)?.fields.get(11)).toBe("C1");
      store.reset(T0 + 7 * S);
      expect([store.nextSenderSeq, store.nextTargetSeq, store.outbound(2)]).toEqual([1, 1, undefined]);
      store.close();
      const reopened = new FileMessageStore(dir);
      expect([reopened.nextSenderSeq, reopened.resetAtUs]).toEqual([1, T0 + 7 * S]);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bad input", () => {
  test("a message with an unknown tag is rejected with reason 0 and the sequence moves on", () => {
    const { io, session, peer } = loggedOn();
    session.receive(peer.message("8", [...er("E1"), [9999, "x"]]), T0 + S);
    const rej = io.sent.at(-1);
    expect(rej?.type).toBe("3");
    expect(rej?.fields.get(45)).toBe("2");
    expect(rej?.fields.get(371)).toBe("9999");
    expect(rej?.fields.get(373)).toBe("0");
    expect(rej?.fields.get(58)).toStartWith("FIX_UNKNOWN_TAG");
    session.receive(peer.message("8", er("E2")), T0 + S);
    expect(io.delivered.map((m) => m.fields.get(17))).toEqual(["E2"]);
  });

  test("garbled and wrong-checksum bytes are dropped with a reason and the stream recovers", () => {
    const { io, session, peer } = loggedOn();
    const good = peer.message("8", er("E1"));
    const bad = peer.message("8", er("E2"));
    bad[bad.length - 3] = bad[bad.length - 3] === 48 ? 49 : 48;
    const junk = fixBytes("garbage|");
    const stream = new Uint8Array(junk.length + bad.length + good.length);
    stream.set(junk);
    stream.set(bad, junk.length);
    stream.set(good, junk.length + bad.length);
    // Delivered one byte at a time to exercise buffering.
    for (let i = 0; i < stream.length; i++) session.receive(stream.subarray(i, i + 1), T0 + S);
    const dropped = io.events.filter((e) => e.code === "FIX_SESSION_INBOUND_DROPPED").map((e) => e.detail.split(":")[0]);
    expect(dropped).toEqual(["FIX_GARBLED", "FIX_BAD_CHECKSUM"]);
    // E1 carries seq 2 while E2 (seq 3) was dropped: E1 is delivered.
    expect(io.delivered.map((m) => m.fields.get(17))).toEqual(["E1"]);
  });

  test("a wrong CompID is rejected and ends the session", () => {
    const { io, session, peer } = loggedOn();
    const other = new ScriptedPeer(dict, "EVIL", "KESTREL");
    other.nextSeq = peer.nextSeq;
    session.receive(other.message("0"), T0 + S);
    expect(io.sent.map((m) => m.type).slice(-2)).toEqual(["3", "5"]);
    expect(session.state).toBe("disconnected");
  });
});

function er(execId: string): [number, string | number][] {
  return [[37, "O1"], [11, "C1"], [17, execId], [150, "F"], [39, "2"], [55, "EURUSD"], [54, "1"], [38, "1000"], [32, "1000"], [31, "1.10015"], [151, "0"], [14, "1000"], [6, "1.10015"]];
}

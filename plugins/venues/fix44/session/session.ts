/**
 * The FIX initiator session as a state machine. Inputs: `connected`, `receive` (bytes),
 * `timer` and `disconnected`, each with the clock value in microseconds; outputs go through
 * `SessionIo`. It does Logon, Heartbeat and TestRequest, keeps and persists sequence numbers,
 * detects gaps both ways (ResendRequest out, queued messages replayed in order; ResendRequest
 * in, served from the store with PossDupFlag=Y and SequenceReset-GapFill over admin messages),
 * ignores possible duplicates, rejects malformed messages with SessionRejectReason and text,
 * and logs out. No sockets, no wall clock: the driver (driver.ts) owns those.
 */
import { FixDecoder } from "../codec/decode.ts";
import { FixEncoder } from "../codec/encode.ts";
import { FixError, SESSION_REJECT_REASON, describeFixError, isFramingError } from "../codec/errors.ts";
import type { FixMessage } from "../codec/message.ts";
import { replayOutbound } from "./resend.ts";
import type { MessageStore } from "./store.ts";
import type { SessionConfig, SessionEventCode, SessionIo, SessionState } from "./types.ts";

function isDown(s: SessionState): boolean {
  return s === "disconnected";
}

/** Most messages held above a gap before the session gives up on the counterparty. */
const MAX_QUEUED = 10_000;

/** One FIX session with one counterparty. */
export class FixSession {
  readonly config: SessionConfig;
  readonly store: MessageStore;
  state: SessionState = "disconnected";
  /** Consecutive failed connection attempts (reset by a successful Logon). */
  failures = 0;
  private readonly io: SessionIo;
  private readonly decoder: FixDecoder;
  private readonly storeDecoder: FixDecoder;
  private readonly enc: FixEncoder;
  private readonly hbUs: number;
  private inbuf = new Uint8Array(64 * 1024);
  private head = 0;
  private tail = 0;
  private lastSentUs = 0;
  private lastRecvUs = 0;
  private stateSinceUs = 0;
  private testReqSentUs = -1;
  private testReqCounter = 0;
  /** Highest sequence number we asked to be resent through, 0 when no resend is outstanding. */
  private resendThrough = 0;
  /** Messages above a gap, by sequence number; null marks one already acted on. */
  private readonly queue = new Map<number, Uint8Array | null>();
  private sendingNow = 0;
  private draining = false;
  private inGarbage = false;
  private resetOnThisLogon = false;

  constructor(config: SessionConfig, store: MessageStore, io: SessionIo) {
    this.config = config;
    this.store = store;
    this.io = io;
    this.decoder = new FixDecoder(config.dict);
    this.storeDecoder = new FixDecoder(config.dict, { validate: false });
    this.enc = new FixEncoder(config.dict.beginString);
    this.hbUs = config.heartBtIntSec * 1_000_000;
  }

  private event(code: SessionEventCode, at: number, detail: string): void {
    this.io.event({ code, at, detail });
  }

  /** Start (microseconds) of the session day that contains `now`, or 0 without a daily schedule. */
  private dayStartUs(now: number): number {
    const minutes = this.config.dailyResetUtcMinutes;
    if (minutes === undefined) return 0;
    const day = 86_400_000_000, offset = minutes * 60_000_000;
    return Math.floor((now - offset) / day) * day + offset;
  }

  /** Milliseconds to wait before the next connection attempt (exponential backoff, capped). */
  reconnectDelayMs(): number {
    const min = this.config.reconnectMinMs ?? 250, max = this.config.reconnectMaxMs ?? 30_000;
    return Math.min(max, min * 2 ** Math.min(this.failures, 20));
  }

  // ---- outbound -------------------------------------------------------------------------

  private header(msgType: string, seq: number, now: number): FixEncoder {
    return this.enc.begin(msgType).str(49, this.config.senderCompID).str(56, this.config.targetCompID).int(34, seq).timestamp(52, now);
  }

  /**
   * Starts an outbound message with the standard header; append the body to the returned
   * encoder and call `commit`. Returns undefined unless the session is logged on.
   */
  beginMessage(msgType: string, now: number): FixEncoder | undefined {
    if (this.state !== "active") return undefined;
    return this.beginAny(msgType, now);
  }

  private beginAny(msgType: string, now: number): FixEncoder {
    this.sendingNow = now;
    return this.header(msgType, this.store.nextSenderSeq, now);
  }

  /** Finishes, stores and sends the message started by `beginMessage`; returns its MsgSeqNum. */
  commit(): number {
    const bytes = this.enc.finish();
    const seq = this.store.nextSenderSeq;
    this.store.storeOutbound(seq, bytes);
    this.store.setNextSenderSeq(seq + 1);
    this.lastSentUs = this.sendingNow;
    this.io.send(bytes);
    return seq;
  }

  /** Skips outbound sequence numbers without sending (a test hook to create a gap at the counterparty). */
  skipOutbound(count: number): void {
    this.store.setNextSenderSeq(this.store.nextSenderSeq + count);
  }

  private sendLogon(now: number): void {
    const enc = this.beginAny("A", now).int(98, 0).int(108, this.config.heartBtIntSec);
    if (this.resetOnThisLogon) enc.bool(141, true);
    // FIXT.1.1 sessions name the application version: 9 is FIX 5.0 SP2.
    if (this.config.dict.beginString === "FIXT.1.1") enc.str(1137, "9");
    if (this.config.username !== undefined) enc.str(553, this.config.username);
    if (this.config.password !== undefined) enc.str(554, this.config.password);
    this.commit();
  }

  private sendLogout(now: number, text: string): void {
    const enc = this.beginAny("5", now);
    if (text !== "") enc.str(58, text);
    this.commit();
  }

  private sendReject(now: number, refSeq: number, refTag: number, refMsgType: string, reason: number, text: string): void {
    const enc = this.beginAny("3", now).int(45, refSeq);
    if (refTag > 0) enc.int(371, refTag);
    if (refMsgType !== "") enc.str(372, refMsgType);
    if (reason >= 0) enc.int(373, reason);
    enc.str(58, text);
    this.commit();
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** The transport connected: resets buffers and sends Logon. */
  connected(now: number): void {
    this.head = this.tail = 0;
    this.queue.clear();
    this.resendThrough = 0;
    this.testReqSentUs = -1;
    this.lastRecvUs = now;
    const newDay = this.dayStartUs(now) > this.store.resetAtUs;
    this.resetOnThisLogon = this.config.resetSeqNumOnLogon === true || newDay;
    if (this.resetOnThisLogon) this.store.reset(now);
    this.state = "logon-sent";
    this.stateSinceUs = now;
    this.event("FIX_SESSION_CONNECTED", now, `sender_seq=${this.store.nextSenderSeq} target_seq=${this.store.nextTargetSeq}`);
    this.sendLogon(now);
  }

  /** A connection attempt failed before the transport connected. */
  connectFailed(now: number, reason: string): void {
    this.failures++;
    this.event("FIX_SESSION_DISCONNECTED", now, `reason=${reason} failures=${this.failures}`);
  }

  /** The transport closed; a no-op when the session already dropped it. */
  disconnected(now: number, reason: string): void {
    if (this.state === "disconnected") return;
    if (this.state === "logon-sent") this.failures++;
    this.state = "disconnected";
    this.queue.clear();
    this.head = this.tail = 0;
    this.event("FIX_SESSION_DISCONNECTED", now, `reason=${reason}`);
  }

  private drop(now: number, reason: string): void {
    if (this.state === "disconnected") return;
    this.disconnected(now, reason);
    this.io.disconnect(reason);
  }

  /** Starts a Logout; the connection is dropped when the answer comes or the timeout passes. */
  logout(now: number, text = ""): void {
    if (this.state === "active") {
      this.sendLogout(now, text);
      this.state = "logout-sent";
      this.stateSinceUs = now;
    } else if (this.state === "logon-sent") this.drop(now, "logout before logon completed");
  }

  /** Clock tick: heartbeats, test requests and timeouts. Call at least a few times per HeartBtInt. */
  timer(now: number): void {
    switch (this.state) {
      case "logon-sent":
        if (now - this.stateSinceUs >= (this.config.logonTimeoutUs ?? 10_000_000)) this.drop(now, "FIX_SESSION_LOGON_TIMEOUT");
        return;
      case "logout-sent":
        if (now - this.stateSinceUs >= (this.config.logoutTimeoutUs ?? 2_000_000)) this.drop(now, "FIX_SESSION_LOGOUT_TIMEOUT");
        return;
      case "active":
        if (this.dayStartUs(now) > this.store.resetAtUs) {
          this.event("FIX_SESSION_END_OF_DAY", now, `day_start_us=${this.dayStartUs(now)}`);
          this.logout(now, "FIX_SESSION_END_OF_DAY");
          return;
        }
        if (this.testReqSentUs >= 0 && now - this.testReqSentUs >= this.hbUs) {
          this.drop(now, `FIX_SESSION_PEER_SILENT: silent_us=${now - this.lastRecvUs}`);
          return;
        }
        if (this.testReqSentUs < 0 && now - this.lastRecvUs >= this.hbUs + this.hbUs / 5) {
          const id = `TEST-${++this.testReqCounter}`;
          this.beginAny("1", now).str(112, id);
          this.commit();
          this.testReqSentUs = now;
          this.event("FIX_SESSION_TEST_REQUEST_SENT", now, `test_req_id=${id} silent_us=${now - this.lastRecvUs}`);
          return;
        }
        if (now - this.lastSentUs >= this.hbUs) {
          this.beginAny("0", now);
          this.commit();
        }
        return;
      default:
    }
  }

  // ---- inbound --------------------------------------------------------------------------

  /** Bytes arrived from the counterparty. Parses straight from `chunk` when nothing is buffered. */
  receive(chunk: Uint8Array, now: number): void {
    if (this.state === "disconnected") return;
    this.lastRecvUs = now;
    if (this.head === this.tail) {
      const used = this.consume(chunk, 0, chunk.length, now);
      if (used < chunk.length && !isDown(this.state)) this.buffer(chunk.subarray(used));
      return;
    }
    this.buffer(chunk);
    const used = this.consume(this.inbuf, this.head, this.tail, now);
    this.head = used;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  private buffer(bytes: Uint8Array): void {
    if (this.tail + bytes.length > this.inbuf.length) {
      const live = this.tail - this.head;
      if (live + bytes.length > this.inbuf.length) {
        const bigger = new Uint8Array(Math.max(this.inbuf.length * 2, live + bytes.length));
        bigger.set(this.inbuf.subarray(this.head, this.tail));
        this.inbuf = bigger;
      } else this.inbuf.copyWithin(0, this.head, this.tail);
      this.head = 0;
      this.tail = live;
    }
    this.inbuf.set(bytes, this.tail);
    this.tail += bytes.length;
  }

  /** Frames and handles every complete message in [start, end); returns where the unconsumed bytes begin. */
  private consume(buf: Uint8Array, start: number, end: number, now: number): number {
    let p = start;
    while (p < end && !isDown(this.state)) {
      const n = this.decoder.frame(buf, p, end);
      if (n === 0) break;
      if (n < 0) {
        // One event per run of garbage, however the bytes were split into chunks.
        const garbled = this.decoder.error.code === FixError.Garbled;
        if (!garbled || !this.inGarbage) this.event("FIX_SESSION_INBOUND_DROPPED", now, `${describeFixError(this.decoder.error)} skipped=${-n}`);
        this.inGarbage = garbled;
        p -= n;
        continue;
      }
      this.inGarbage = false;
      this.store.storeInbound(buf.subarray(p, p + n));
      const code = this.decoder.decodeFramed(buf, p, n);
      p += n;
      this.handle(code, now);
    }
    return p;
  }

  private handle(code: FixError, now: number): void {
    const msg = this.decoder.message;
    const expected = this.store.nextTargetSeq;
    const seq = msg.seqNum;
    if (seq <= 0) {
      this.event("FIX_SESSION_INBOUND_DROPPED", now, `FIX_SESSION_NO_SEQNUM: ${code === FixError.None ? "tag=34" : describeFixError(this.decoder.error)}`);
      return;
    }
    const type = msg.msgType;
    if (this.state === "logon-sent" && type !== "A") {
      this.protocolError(now, `FIX_SESSION_FIRST_NOT_LOGON: msg_type=${type === "" ? "?" : type} seq=${seq}`);
      return;
    }
    if (code === FixError.None && !this.compIdsMatch(msg)) {
      this.sendReject(now, seq, 49, type, 9, `FIX_SESSION_COMP_ID: seq=${seq}`);
      this.protocolError(now, `FIX_SESSION_COMP_ID: seq=${seq}`);
      return;
    }
    // A Logon with ResetSeqNumFlag=Y restarts the counterparty's numbering at its MsgSeqNum.
    if (code === FixError.None && type === "A" && msg.char(141) === 89 && seq !== expected) {
      this.event("FIX_SESSION_SEQ_RESET", now, `reset_by_logon=Y new_seq_no=${seq}`);
      this.queue.clear();
      this.store.setNextTargetSeq(seq);
      this.handle(code, now);
      return;
    }
    // A SequenceReset in reset mode applies whatever its MsgSeqNum says.
    if (code === FixError.None && type === "4" && msg.char(123) !== 89) {
      this.sequenceReset(msg, now);
      return;
    }
    if (seq > expected) {
      this.aboveGap(msg, code, seq, expected, now);
      return;
    }
    if (seq < expected) {
      if (msg.possDup || (code === FixError.None && type === "4")) {
        this.event("FIX_SESSION_DUPLICATE_IGNORED", now, `seq=${seq} expected=${expected}`);
        return;
      }
      const text = `MsgSeqNum too low, expecting ${expected} but received ${seq}`;
      this.event("FIX_SESSION_SEQ_TOO_LOW", now, `seq=${seq} expected=${expected}`);
      if (this.state === "active") this.sendLogout(now, text);
      this.drop(now, `FIX_SESSION_SEQ_TOO_LOW: seq=${seq} expected=${expected}`);
      return;
    }
    this.store.setNextTargetSeq(expected + 1);
    if (code !== FixError.None) {
      this.rejectInbound(msg, code, now);
    } else this.dispatch(msg, type, now);
    this.afterInOrder(now);
  }

  private compIdsMatch(msg: FixMessage): boolean {
    const s = msg.indexOf(49), t = msg.indexOf(56);
    return s >= 0 && t >= 0 && msg.valueIs(s, this.config.targetCompID) && msg.valueIs(t, this.config.senderCompID);
  }

  private protocolError(now: number, detail: string): void {
    this.event("FIX_SESSION_PROTOCOL_ERROR", now, detail);
    if (this.state === "active") this.sendLogout(now, detail);
    this.drop(now, detail);
  }

  private rejectInbound(msg: FixMessage, code: FixError, now: number): void {
    const e = this.decoder.error;
    const text = describeFixError(e);
    this.event("FIX_SESSION_INBOUND_REJECTED", now, `seq=${msg.seqNum} ${text}`);
    if (isFramingError(code)) return;
    if (this.state === "logon-sent") {
      this.drop(now, `FIX_SESSION_BAD_LOGON: ${text}`);
      return;
    }
    this.sendReject(now, msg.seqNum, e.tag === 35 ? 0 : e.tag, msg.msgType, SESSION_REJECT_REASON[code] ?? 99, text);
  }

  private aboveGap(msg: FixMessage, code: FixError, seq: number, expected: number, now: number): void {
    const type = msg.msgType;
    if (code === FixError.None && type === "A" && this.state === "logon-sent") {
      this.logonAccepted(msg, now);
      this.queue.set(seq, null);
    } else if (code === FixError.None && type === "2") {
      this.serveResend(msg, now);
      this.queue.set(seq, null);
    } else if (code === FixError.None && type === "5") {
      this.dispatch(msg, type, now);
      return;
    } else {
      if (this.queue.size >= MAX_QUEUED) {
        this.protocolError(now, `FIX_SESSION_QUEUE_OVERFLOW: queued=${this.queue.size} expected=${expected} seq=${seq}`);
        return;
      }
      this.queue.set(seq, msg.bytes().slice());
    }
    if (this.resendThrough === 0 && this.state === "active") {
      this.beginAny("2", now).int(7, expected).int(16, 0);
      this.commit();
      this.resendThrough = seq;
      this.event("FIX_SESSION_RESEND_REQUESTED", now, `from=${expected} to=0 seen=${seq}`);
    }
  }

  private sequenceReset(msg: FixMessage, now: number): void {
    const next = msg.int(36);
    const expected = this.store.nextTargetSeq;
    if (!(next >= expected)) {
      this.sendReject(now, msg.seqNum, 36, "4", 5, `FIX_SESSION_SEQ_RESET_BACKWARDS: new_seq_no=${next} expected=${expected}`);
      this.event("FIX_SESSION_INBOUND_REJECTED", now, `seq=${msg.seqNum} FIX_SESSION_SEQ_RESET_BACKWARDS: new_seq_no=${next} expected=${expected}`);
      return;
    }
    this.store.setNextTargetSeq(next);
    for (const k of [...this.queue.keys()]) if (k < next) this.queue.delete(k);
    this.event("FIX_SESSION_SEQ_RESET", now, `new_seq_no=${next}`);
    this.afterInOrder(now);
  }

  /** Replays queued messages that are now in order and closes a completed resend. */
  private afterInOrder(now: number): void {
    if (this.draining) return;
    this.draining = true;
    while (!isDown(this.state)) {
      const next = this.store.nextTargetSeq;
      if (!this.queue.has(next)) break;
      const bytes = this.queue.get(next);
      this.queue.delete(next);
      if (bytes === null || bytes === undefined) {
        this.store.setNextTargetSeq(next + 1);
        continue;
      }
      const code = this.decoder.decode(bytes);
      this.handle(code, now);
    }
    this.draining = false;
    if (this.resendThrough > 0 && this.store.nextTargetSeq > this.resendThrough) {
      this.event("FIX_SESSION_GAP_FILLED", now, `through=${this.store.nextTargetSeq - 1}`);
      this.resendThrough = 0;
    }
  }

  /**
   * Delivers queued messages that a gap fill jumped over. Some engines (QuickFIX's memory
   * store among them) gap-fill over application messages they cannot find; we received those
   * live, so they are processed rather than lost.
   */
  private replayUnder(next: number, now: number): void {
    const below = [...this.queue.keys()].filter((k) => k < next).sort((a, b) => a - b);
    for (const k of below) {
      const bytes = this.queue.get(k);
      this.queue.delete(k);
      if (bytes === null || bytes === undefined || isDown(this.state)) continue;
      const code = this.decoder.decode(bytes);
      this.event("FIX_SESSION_GAP_FILLED", now, `FIX_SESSION_GAP_FILL_OVER_RECEIVED: seq=${k} new_seq_no=${next}`);
      if (code !== FixError.None) this.rejectInbound(this.decoder.message, code, now);
      else this.dispatch(this.decoder.message, this.decoder.message.msgType, now);
    }
  }

  private logonAccepted(msg: FixMessage, now: number): void {
    this.state = "active";
    this.failures = 0;
    this.stateSinceUs = now;
    this.event("FIX_SESSION_LOGON", now, `seq=${msg.seqNum} heart_bt_int=${msg.int(108)}`);
  }

  private dispatch(msg: FixMessage, type: string, now: number): void {
    switch (type) {
      case "A":
        if (this.state === "logon-sent") this.logonAccepted(msg, now);
        else this.event("FIX_SESSION_PROTOCOL_ERROR", now, `FIX_SESSION_LOGON_WHILE_ACTIVE: seq=${msg.seqNum}`);
        return;
      case "0": {
        const i = msg.indexOf(112);
        if (i >= 0 && this.testReqSentUs >= 0) this.testReqSentUs = -1;
        return;
      }
      case "1": {
        const i = msg.indexOf(112);
        const enc = this.beginAny("0", now);
        if (i >= 0) enc.copy(112, msg.buf, msg.valueStart[i] as number, msg.valueEnd[i] as number);
        this.commit();
        return;
      }
      case "2":
        this.serveResend(msg, now);
        return;
      case "3":
        this.event("FIX_SESSION_PEER_REJECT", now, `ref_seq=${msg.int(45)} reason=${msg.int(373, -1)} text=${msg.string(58) ?? ""}`);
        this.io.app(msg);
        return;
      case "4": {
        const next = msg.int(36);
        if (!(next > msg.seqNum)) {
          this.sendReject(now, msg.seqNum, 36, "4", 5, `FIX_SESSION_GAP_FILL_BACKWARDS: new_seq_no=${next} seq=${msg.seqNum}`);
          return;
        }
        if (next > this.store.nextTargetSeq) this.store.setNextTargetSeq(next);
        this.event("FIX_SESSION_GAP_FILLED", now, `seq=${msg.seqNum} new_seq_no=${next}`);
        this.replayUnder(next, now);
        return;
      }
      case "5":
        this.event("FIX_SESSION_LOGOUT", now, `text=${msg.string(58) ?? ""}`);
        if (this.state === "active") this.sendLogout(now, "");
        this.drop(now, "FIX_SESSION_LOGOUT");
        return;
      default:
        this.io.app(msg);
    }
  }

  /** Answers a ResendRequest from the store (see resend.ts). */
  private serveResend(msg: FixMessage, now: number): void {
    const from = msg.int(7);
    const last = this.store.nextSenderSeq - 1;
    let to = msg.int(16);
    if (to === 0 || to > last) to = last;
    if (!(from >= 1) || !(to >= 0)) {
      this.sendReject(now, msg.seqNum, 7, "2", 5, `FIX_SESSION_BAD_RESEND_RANGE: from=${from} to=${to}`);
      return;
    }
    this.lastSentUs = now;
    replayOutbound(this.store, this.storeDecoder, (type, seq) => this.header(type, seq, now), now, from, to, (bytes) => this.io.send(bytes));
    this.event("FIX_SESSION_RESEND_SERVED", now, `from=${from} to=${to}`);
  }
}

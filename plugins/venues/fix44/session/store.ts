/**
 * The FIX message store: the next sender and target sequence numbers and every message sent
 * (so a ResendRequest can be served) and received (for audit). `MemoryMessageStore` is the
 * reference; `FileMessageStore` (file-store.ts) keeps the same contract across restarts.
 */

/** What a session needs from its store. */
export interface MessageStore {
  /** MsgSeqNum the next outbound message gets. */
  readonly nextSenderSeq: number;
  /** MsgSeqNum the next inbound message should carry. */
  readonly nextTargetSeq: number;
  setNextSenderSeq(seq: number): void;
  setNextTargetSeq(seq: number): void;
  /** Keeps an outbound message under its sequence number; the bytes are copied. */
  storeOutbound(seq: number, bytes: Uint8Array): void;
  /** Keeps an inbound message for audit; the bytes are copied. */
  storeInbound(bytes: Uint8Array): void;
  /** The outbound message stored under `seq`, or undefined. */
  outbound(seq: number): Uint8Array | undefined;
  /** Clock value (microseconds) of the last sequence reset, or of creation; 0 when unknown. */
  readonly resetAtUs: number;
  /** Forgets every message and sets both sequence numbers to 1 (a sequence reset) at clock value `nowUs`. */
  reset(nowUs?: number): void;
  /** Releases files; the store is unusable afterwards. */
  close(): void;
}

/** A store in memory: lost on restart. Keeps every sent message and the last `keepInbound` received ones. */
export class MemoryMessageStore implements MessageStore {
  constructor(private readonly keepInbound = 10_000) {}

  nextSenderSeq = 1;
  nextTargetSeq = 1;
  resetAtUs = 0;
  private readonly sent = new Map<number, Uint8Array>();
  /** Inbound messages in arrival order (for tests and audit). */
  readonly received: Uint8Array[] = [];

  setNextSenderSeq(seq: number): void { this.nextSenderSeq = seq; }
  setNextTargetSeq(seq: number): void { this.nextTargetSeq = seq; }
  storeOutbound(seq: number, bytes: Uint8Array): void { this.sent.set(seq, bytes.slice()); }
  storeInbound(bytes: Uint8Array): void {
    if (this.received.length >= this.keepInbound) this.received.splice(0, Math.max(1, this.keepInbound >> 1));
    this.received.push(bytes.slice());
  }
  outbound(seq: number): Uint8Array | undefined { return this.sent.get(seq); }
  reset(nowUs = 0): void {
    this.resetAtUs = nowUs;
    this.sent.clear();
    this.received.length = 0;
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
  }
  close(): void {}
}

/**
 * A file-backed FIX message store: `seqnums` holds the two sequence numbers and the time of the
 * last reset in a fixed 60-byte record rewritten in place, `messages.log` is an append-only journal of records
 * `[direction u8][seq u32][length u32][bytes]` (direction 1 = outbound, 2 = inbound). Opening
 * the store scans the journal to index outbound messages by sequence number. Writes are not
 * fsynced per message; a crash may lose the last messages the OS had not flushed.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { MessageStore } from "./store.ts";

const HEADER = 9;

/** A store that survives restarts, in a directory of its own per session. */
export class FileMessageStore implements MessageStore {
  nextSenderSeq = 1;
  nextTargetSeq = 1;
  resetAtUs = 0;
  private readonly seqFd: number;
  private readonly logFd: number;
  private logSize = 0;
  private readonly index = new Map<number, { offset: number; length: number }>();
  private readonly seqRecord = new Uint8Array(60);
  private readonly head = new Uint8Array(HEADER);

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const seqPath = join(dir, "seqnums");
    const fresh = !existsSync(seqPath);
    this.seqFd = openSync(seqPath, fresh ? "w+" : "r+");
    this.logFd = openSync(join(dir, "messages.log"), "a+");
    if (!fresh) this.loadSeqNums();
    else this.writeSeqNums();
    this.scanLog();
  }

  private loadSeqNums(): void {
    const n = readSync(this.seqFd, this.seqRecord, 0, 60, 0);
    const text = new TextDecoder().decode(this.seqRecord.subarray(0, n));
    const sender = Number(text.slice(0, 20)), target = Number(text.slice(20, 40)), resetAt = Number(text.slice(40, 60));
    if (n === 60 && Number.isSafeInteger(sender) && sender > 0 && Number.isSafeInteger(target) && target > 0 && Number.isSafeInteger(resetAt)) {
      this.nextSenderSeq = sender;
      this.nextTargetSeq = target;
      this.resetAtUs = resetAt;
    }
  }

  private writeSeqNums(): void {
    const text = String(this.nextSenderSeq).padStart(20, "0") + String(this.nextTargetSeq).padStart(20, "0") + String(this.resetAtUs).padStart(20, "0");
    for (let i = 0; i < 60; i++) this.seqRecord[i] = text.charCodeAt(i);
    writeSync(this.seqFd, this.seqRecord, 0, 60, 0);
  }

  private scanLog(): void {
    const size = fstatSync(this.logFd).size;
    let offset = 0;
    const dv = new DataView(this.head.buffer);
    while (offset + HEADER <= size) {
      if (readSync(this.logFd, this.head, 0, HEADER, offset) !== HEADER) break;
      const direction = this.head[0], seq = dv.getUint32(1), length = dv.getUint32(5);
      if (offset + HEADER + length > size) break; // a torn last record is ignored
      if (direction === 1) this.index.set(seq, { offset: offset + HEADER, length });
      offset += HEADER + length;
    }
    if (offset !== size) ftruncateSync(this.logFd, offset);
    this.logSize = offset;
  }

  private append(direction: number, seq: number, bytes: Uint8Array): void {
    const dv = new DataView(this.head.buffer);
    this.head[0] = direction;
    dv.setUint32(1, seq);
    dv.setUint32(5, bytes.length);
    writeSync(this.logFd, this.head);
    writeSync(this.logFd, bytes);
    if (direction === 1) this.index.set(seq, { offset: this.logSize + HEADER, length: bytes.length });
    this.logSize += HEADER + bytes.length;
  }

  setNextSenderSeq(seq: number): void { this.nextSenderSeq = seq; this.writeSeqNums(); }
  setNextTargetSeq(seq: number): void { this.nextTargetSeq = seq; this.writeSeqNums(); }
  storeOutbound(seq: number, bytes: Uint8Array): void { this.append(1, seq, bytes); }
  storeInbound(bytes: Uint8Array): void { this.append(2, 0, bytes); }

  outbound(seq: number): Uint8Array | undefined {
    const at = this.index.get(seq);
    if (at === undefined) return undefined;
    const out = new Uint8Array(at.length);
    readSync(this.logFd, out, 0, at.length, at.offset);
    return out;
  }

  reset(nowUs = 0): void {
    this.resetAtUs = nowUs;
    ftruncateSync(this.logFd, 0);
    this.logSize = 0;
    this.index.clear();
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
    this.writeSeqNums();
  }

  close(): void {
    closeSync(this.seqFd);
    closeSync(this.logFd);
  }
}

/**
 * A sparse index of a journal's order and parent records, so one order's records can be read
 * back without decoding the whole file (explanations, lookups of orders the OMS no longer holds).
 *
 * Records are grouped in blocks of `stride` consecutive order (or parent) records; a block keeps
 * the file offset of its first record and the smallest and largest id in it, so the index holds
 * three numbers per `stride` orders however long the session runs. The session's writer notes
 * each record as it appends it; what the file held before (earlier runs) is scanned once, on the
 * first lookup that needs it. Reading an order's records starts at the first block that can hold
 * it and stops once the order is finished and a further `tailFrames` frames were read (late
 * reconciliation records), or at the end of the file.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { decode, Encoder } from "@msgpack/msgpack";
import { FRAME_HEAD, HEADER } from "./journal-file.ts";
import type { JournalRecord, OrderRecord, ParentRecord } from "./records.ts";
import { parentOfTag } from "../execution/parents/parent-order.ts";
import { Oms } from "../execution/oms.ts";
import type { Order } from "../execution/order.ts";

/** Blocks of one record kind: first offset, smallest and largest id of each. */
class Blocks {
  readonly offsets: number[] = [];
  readonly minIds: number[] = [];
  readonly maxIds: number[] = [];
  private inBlock = 0;

  constructor(private readonly stride: number) {}

  note(id: number, offset: number): void {
    const last = this.offsets.length - 1;
    if (this.inBlock === 0 || last < 0) {
      this.offsets.push(offset);
      this.minIds.push(id);
      this.maxIds.push(id);
    } else {
      if (id < this.minIds[last]!) this.minIds[last] = id;
      if (id > this.maxIds[last]!) this.maxIds[last] = id;
    }
    this.inBlock = (this.inBlock + 1) % this.stride;
  }

  /** Offsets of the blocks that can hold `id`, in file order. */
  candidates(id: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.offsets.length; i++) if (this.minIds[i]! <= id && id <= this.maxIds[i]!) out.push(this.offsets[i]!);
    return out;
  }

  /** Puts `head` (blocks of an earlier part of the file) before these. */
  prepend(head: Blocks): void {
    this.offsets.unshift(...head.offsets);
    this.minIds.unshift(...head.minIds);
    this.maxIds.unshift(...head.maxIds);
  }
}

const encoder = new Encoder();
const ORDER_PREFIX = encoder.encode("order");
const PARENT_PREFIX = encoder.encode("parent");
const T_KEY = encoder.encode("t");

/** True when a msgpack map payload starts with the key "t" holding `value` (the journal's record tag). */
function taggedAs(payload: Uint8Array, value: Uint8Array): boolean {
  // fixmap (0x80-0x8f), map16 (0xde + 2 bytes) or map32 (0xdf + 4 bytes).
  const h = payload[0]!;
  const at = h >= 0x80 && h <= 0x8f ? 1 : h === 0xde ? 3 : h === 0xdf ? 5 : -1;
  if (at < 0 || payload.length < at + T_KEY.length + value.length) return false;
  for (let i = 0; i < T_KEY.length; i++) if (payload[at + i] !== T_KEY[i]) return false;
  const v = at + T_KEY.length;
  for (let i = 0; i < value.length; i++) if (payload[v + i] !== value[i]) return false;
  return true;
}

/** The msgpack bytes of a positive integer id, for a cheap "may mention this id" test. */
function idBytes(id: number): Uint8Array {
  return encoder.encode(id);
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle) >= 0;
}

/** Reads frames of a journal file from an offset, in chunks, without loading the file. */
class FrameReader {
  /** The open file (for a head scan started mid-lookup). */
  get file(): number {
    return this.fd;
  }

  private chunk = new Uint8Array(1 << 20);
  private chunkStart = 0;
  private chunkLen = 0;

  constructor(
    private readonly fd: number,
    private readonly end: number,
  ) {}

  /** Calls `each(payload, offset)` for every good frame from `start`; stops when it returns false. */
  forEach(start: number, each: (payload: Uint8Array, offset: number) => boolean): number {
    let off = start;
    while (off + FRAME_HEAD <= this.end) {
      const head = this.bytes(off, FRAME_HEAD);
      const len = new DataView(head.buffer, head.byteOffset, FRAME_HEAD).getUint32(0, true);
      const crc = new DataView(head.buffer, head.byteOffset, FRAME_HEAD).getUint32(4, true);
      if (off + FRAME_HEAD + len > this.end) break;
      const payload = this.bytes(off + FRAME_HEAD, len);
      if (Bun.hash.crc32(payload) !== crc) break;
      if (!each(payload, off)) return off;
      off += FRAME_HEAD + len;
    }
    return off;
  }

  private bytes(at: number, n: number): Uint8Array {
    if (at < this.chunkStart || at + n > this.chunkStart + this.chunkLen) {
      if (n > this.chunk.length) this.chunk = new Uint8Array(Math.max(n, this.chunk.length * 2));
      this.chunkStart = at;
      this.chunkLen = readSync(this.fd, this.chunk, 0, Math.min(this.chunk.length, this.end - at), at);
      if (this.chunkLen < n) return new Uint8Array(0);
    }
    return this.chunk.subarray(at - this.chunkStart, at - this.chunkStart + n);
  }
}

/** What the journal holds about one order. */
export interface OrderRecords {
  readonly order: OrderRecord;
  /** Its parent's "new" record, when it is a child of a parent order the journal holds. */
  readonly parent: ParentRecord | null;
  /** Every record about it after the order record (reports, cancels, reconciliation), in journal order. */
  readonly records: readonly JournalRecord[];
}

/** The sparse order/parent index of one journal file. */
export class JournalOrderIndex {
  private readonly orders: Blocks;
  private readonly parents: Blocks;
  /** Records before this offset were not noted by the writer; scanned on first need. */
  private headEnd: number;
  /** Frames decoded by lookups so far (tests check a lookup does not read everything). */
  decodedFrames = 0;

  constructor(
    readonly path: string,
    /** Offset where the writer started appending (records before it came from earlier runs). */
    writerStart: number,
    private readonly stride = 256,
    private readonly tailFrames = 4096,
  ) {
    this.orders = new Blocks(stride);
    this.parents = new Blocks(stride);
    this.headEnd = Math.max(HEADER, writerStart);
  }

  /** Notes a record the writer appends at `offset`. */
  note(record: JournalRecord, offset: number): void {
    if (record.t === "order") this.orders.note(record.id, offset);
    else if (record.t === "parent" && record.kind === "new") this.parents.note(record.id, offset);
  }

  /** Blocks held (orders plus parents): grows by one per `stride` orders. */
  get blocks(): number {
    return this.orders.offsets.length + this.parents.offsets.length;
  }

  /** Scans the part of the file written before this session's writer, once. */
  private scanHead(fd: number): void {
    if (this.headEnd <= HEADER) return;
    const orders = new Blocks(this.stride);
    const parents = new Blocks(this.stride);
    new FrameReader(fd, this.headEnd).forEach(HEADER, (payload, off) => {
      if (taggedAs(payload, ORDER_PREFIX)) orders.note((decode(payload) as OrderRecord).id, off);
      else if (taggedAs(payload, PARENT_PREFIX)) {
        const r = decode(payload) as ParentRecord;
        if (r.kind === "new") parents.note(r.id, off);
      }
      return true;
    });
    this.orders.prepend(orders);
    this.parents.prepend(parents);
    this.headEnd = HEADER;
  }

  /** The journal's records about order `id` (the file must be flushed), or null when it has none. */
  lookup(id: number): OrderRecords | null {
    if (!existsSync(this.path)) return null;
    const fd = openSync(this.path, "r");
    try {
      const end = fstatSync(fd).size;
      let found = this.find(fd, end, id);
      if (found === null && this.headEnd > HEADER) {
        this.scanHead(fd);
        found = this.find(fd, end, id);
      }
      return found;
    } finally {
      closeSync(fd);
    }
  }

  private find(fd: number, end: number, id: number): OrderRecords | null {
    const reader = new FrameReader(fd, end);
    const needle = idBytes(id);
    for (const start of this.orders.candidates(id)) {
      let order: OrderRecord | null = null;
      const records: JournalRecord[] = [];
      let filled = 0;
      let after = -1;
      reader.forEach(start, (payload) => {
        if (after >= 0 && ++after > this.tailFrames) return false;
        if (!contains(payload, needle)) return true;
        this.decodedFrames++;
        const r = decode(payload) as JournalRecord;
        if (order === null) {
          if (r.t === "order" && r.id === id) order = r;
          return true;
        }
        if (r.t === "report" && r.report.orderId === id) {
          records.push(r);
          const k = r.report.kind;
          if (k === "fill") filled += r.report.size;
          if ((k === "fill" && filled >= order.size) || k === "canceled" || k === "rejected" || k === "expired") after = Math.max(after, 0);
        } else if ((r.t === "cancel" || r.t === "reconcile") && r.orderId === id) records.push(r);
        return true;
      });
      if (order === null) continue;
      const o: OrderRecord = order;
      return { order: o, parent: this.parentOf(reader, o), records };
    }
    return null;
  }

  /**
   * Feeds `visit` the journal's records about parent `id` in file order — its own records, its child
   * orders (tagged `parent=<id>`) and their reports and cancels — starting at the first block that can
   * hold its "new" record; stops when `visit` returns true (the parent ended) and a further
   * `tailFrames` frames were read, or at the end of the file. False when the journal has no such
   * parent (the file must be flushed).
   */
  scanParent(id: number, visit: (r: JournalRecord) => boolean): boolean {
    if (!existsSync(this.path)) return false;
    const fd = openSync(this.path, "r");
    try {
      const end = fstatSync(fd).size;
      if (this.parents.candidates(id).length === 0 && this.headEnd > HEADER) this.scanHead(fd);
      const start = this.parents.candidates(id)[0];
      if (start === undefined) return false;
      const own = idBytes(id);
      const tag = new TextEncoder().encode(`parent=${id}`);
      // Open children: id -> [msgpack id bytes, size, filled so far].
      const open = new Map<number, [Uint8Array, number, number]>();
      let seen = false;
      let after = -1;
      new FrameReader(fd, end).forEach(start, (payload) => {
        if (after >= 0 && ++after > this.tailFrames) return false;
        let wanted = taggedAs(payload, PARENT_PREFIX) ? contains(payload, own) : seen && taggedAs(payload, ORDER_PREFIX) ? contains(payload, tag) : false;
        if (!wanted && seen) for (const c of open.values()) if (contains(payload, c[0])) wanted = true;
        if (!wanted) return true;
        this.decodedFrames++;
        const r = decode(payload) as JournalRecord;
        if (r.t === "parent") {
          if (r.id !== id || (!seen && r.kind !== "new")) return true;
          seen = true;
        } else if (r.t === "order") {
          if (parentOfTag(r.tag) !== id) return true;
          if (r.rejected === "") open.set(r.id, [idBytes(r.id), r.size, 0]);
        } else if (r.t === "report") {
          const c = open.get(r.report.orderId);
          if (c === undefined) return true;
          const k = r.report.kind;
          if (k === "fill") c[2] += r.report.size;
          if ((k === "fill" && c[2] >= c[1]) || k === "canceled" || k === "rejected" || k === "expired") open.delete(r.report.orderId);
        } else if (!((r.t === "cancel" || r.t === "reconcile") && open.has(r.orderId))) return true;
        if (visit(r) && after < 0) after = 0;
        return true;
      });
      return seen;
    } finally {
      closeSync(fd);
    }
  }

  private fdOf(reader: FrameReader): number {
    return reader.file;
  }

  private parentOf(reader: FrameReader, order: OrderRecord): ParentRecord | null {
    const pid = parentOfTag(order.tag);
    if (pid === 0) return null;
    if (this.headEnd > HEADER && this.parents.candidates(pid).length === 0) this.scanHead(this.fdOf(reader));
    const needle = idBytes(pid);
    for (const start of this.parents.candidates(pid)) {
      let found: ParentRecord | null = null;
      reader.forEach(start, (payload) => {
        if (!taggedAs(payload, PARENT_PREFIX) || !contains(payload, needle)) return true;
        const r = decode(payload) as JournalRecord;
        if (r.t === "parent" && r.kind === "new" && r.id === pid) {
          found = r;
          return false;
        }
        return true;
      });
      if (found !== null) return found;
    }
    return null;
  }
}

/** An order rebuilt from its journal records (status, fills, reason as the OMS had them). */
export function orderFromRecords(found: OrderRecords): Order {
  const r = found.order;
  const oms = new Oms(1);
  const order = oms.create(r.strategy, { instrument: r.instrument, side: r.side, type: r.type, tif: r.tif, price: r.price, stopPrice: r.stopPrice, size: r.size, expireTs: r.expireTs, postOnly: r.postOnly, reduceOnly: r.reduceOnly, tag: r.tag }, r.ts, { event: r.event, version: r.version, features: r.features, model: r.model }, r.id);
  if (r.rejected !== "") {
    oms.rejectNew(order, r.rejected, r.ts);
    return order;
  }
  for (const rec of found.records) {
    if (rec.t === "report") oms.apply(rec.report, rec.fillId === 0 ? undefined : rec.fillId);
    else if (rec.t === "cancel") oms.requestCancel(r.id, rec.ts);
  }
  return order;
}

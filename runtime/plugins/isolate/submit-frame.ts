/**
 * The SUBMIT frame's body: an isolated plugin's order intent in a fixed layout, written by the
 * isolate straight into the ring and read in place by the runtime into the one intent object the
 * in-process path would have (no msgpack). Tags cross as ids: a tag's UTF-16 units follow the body
 * the first time it is used, and both sides keep the id → tag table from then on.
 *
 * ```
 *  0  f64 instrument        8  f64 side            16  f64 size
 * 24  f64 price            32  f64 stopPrice       40  f64 expireTs
 * 48  u8 type (TYPES)      49  u8 tif (0 none, 1 + TIFS index)   50  u8 flags (F_*)
 * 51  u8 1 when the tag's units follow, else 0
 * 52  u32 tag id (0 none; TAG_INLINE: units follow, not kept)
 * 56  the tag's UTF-16 units, when the tag is new or inline (to the end of the body)
 * ```
 * Prices and sizes are JavaScript numbers (integers, as the SDK asks, up to ±2^53 exactly; any
 * number crosses bit for bit). An intent whose fields are not of their SDK types (a string size, an
 * unknown type, a null price) is not written here: it crosses as msgpack so the runtime's risk
 * engine sees it exactly as the plugin made it and refuses it with the same reason. Fields outside
 * `OrderIntent` do not cross.
 */
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import { TIFS, TYPES } from "./mirror-layout.ts";

/** Bytes of the fixed part of a SUBMIT body. */
export const SUBMIT_BODY = 56;
/** Tag id meaning "the units follow and are not kept" (the table is full). */
export const TAG_INLINE = 0xffffffff;
/** Most tags a table keeps; later new tags travel inline every time. */
export const MAX_TAGS = 4096;

/** Flag bits of byte 50. */
export const F_PRICE = 1;
export const F_STOP = 2;
export const F_EXPIRE = 4;
export const F_POST_ONLY_SET = 8;
export const F_POST_ONLY = 16;
export const F_REDUCE_ONLY_SET = 32;
export const F_REDUCE_ONLY = 64;

/** The code of an order type in TYPES, or -1 (a scan of four: cheaper than a Map of strings). */
function typeCode(t: unknown): number {
  for (let k = 0; k < TYPES.length; k++) if (TYPES[k] === t) return k;
  return -1;
}

/** 1 + the index of a time in force in TIFS, or -1. */
function tifCode(t: unknown): number {
  for (let k = 0; k < TIFS.length; k++) if (TIFS[k] === t) return k + 1;
  return -1;
}

/** The isolate's side: tag ids it has handed out. */
export class TagIds {
  private readonly ids = new Map<string, number>();
  /** The tag asked for last and its id (a strategy mostly sends one tag again and again). */
  private lastTag: string | null = null;
  private lastId = 0;

  /** The id of `tag`, a new one when it is first seen (`isNew` says so), TAG_INLINE when the table is full. */
  idOf(tag: string): number {
    if (tag === this.lastTag) return this.lastId;
    const id = this.ids.get(tag);
    if (id !== undefined) {
      this.lastTag = tag;
      this.lastId = id;
      return id;
    }
    if (this.ids.size >= MAX_TAGS) return TAG_INLINE;
    const next = this.ids.size + 1;
    this.ids.set(tag, next);
    this.isNew = true;
    return next;
  }

  /** Set by `idOf` when it handed out a new id (the caller clears it). */
  isNew = false;
}

/** Optional numeric field: undefined, or a number. */
const optNum = (v: unknown): boolean => v === undefined || typeof v === "number";
/** Optional flag: undefined, or a boolean. */
const optBool = (v: unknown): boolean => v === undefined || typeof v === "boolean";

/**
 * The body bytes `intent` takes as a SUBMIT frame (the tag's units included when they must
 * follow), or -1 when its fields are not all of their SDK types (send it as msgpack). Call
 * `writeIntent` with the same `tags` right after: this hands out the tag's id.
 */
export function intentBytes(intent: OrderIntent, tags: TagIds): number {
  if (typeof intent !== "object" || intent === null) return -1;
  if (typeof intent.instrument !== "number" || typeof intent.side !== "number" || typeof intent.size !== "number") return -1;
  if (!optNum(intent.price) || !optNum(intent.stopPrice) || !optNum(intent.expireTs)) return -1;
  if (typeCode(intent.type) < 0 || (intent.tif !== undefined && tifCode(intent.tif) < 0)) return -1;
  if (!optBool(intent.postOnly) || !optBool(intent.reduceOnly)) return -1;
  const tag = intent.tag;
  if (tag === undefined) return SUBMIT_BODY;
  if (typeof tag !== "string") return -1;
  tags.isNew = false;
  const id = tags.idOf(tag);
  return id === TAG_INLINE || tags.isNew ? SUBMIT_BODY + 2 * tag.length : SUBMIT_BODY;
}

/** Writes `intent` (checked by `intentBytes`, which returned `bytes`) as a SUBMIT body at `at`. */
export function writeIntent(v: DataView, at: number, intent: OrderIntent, tags: TagIds, bytes: number): void {
  v.setFloat64(at, intent.instrument, true);
  v.setFloat64(at + 8, intent.side, true);
  v.setFloat64(at + 16, intent.size, true);
  let flags = 0;
  if (intent.price !== undefined) {
    flags |= F_PRICE;
    v.setFloat64(at + 24, intent.price, true);
  }
  if (intent.stopPrice !== undefined) {
    flags |= F_STOP;
    v.setFloat64(at + 32, intent.stopPrice, true);
  }
  if (intent.expireTs !== undefined) {
    flags |= F_EXPIRE;
    v.setFloat64(at + 40, intent.expireTs, true);
  }
  if (intent.postOnly !== undefined) flags |= intent.postOnly ? F_POST_ONLY_SET | F_POST_ONLY : F_POST_ONLY_SET;
  if (intent.reduceOnly !== undefined) flags |= intent.reduceOnly ? F_REDUCE_ONLY_SET | F_REDUCE_ONLY : F_REDUCE_ONLY_SET;
  v.setUint8(at + 48, typeCode(intent.type));
  v.setUint8(at + 49, intent.tif === undefined ? 0 : tifCode(intent.tif));
  v.setUint8(at + 50, flags);
  const tag = intent.tag;
  const follows = tag !== undefined && (bytes > SUBMIT_BODY || tags.isNew);
  v.setUint8(at + 51, follows ? 1 : 0);
  v.setUint32(at + 52, tag === undefined ? 0 : tags.idOf(tag), true);
  if (follows) writeUnits(v, at + SUBMIT_BODY, tag);
}

/** Reads `n` UTF-16 units at `at` as a string. */
export function readUnits(v: DataView, at: number, n: number): string {
  let s = "";
  // Chunks keep fromCharCode's argument list short.
  for (let k = 0; k < n; k += 256) {
    const m = Math.min(256, n - k);
    const units = new Array<number>(m);
    for (let j = 0; j < m; j++) units[j] = v.getUint16(at + 2 * (k + j), true);
    s += String.fromCharCode.apply(null, units);
  }
  return s;
}

/** Writes `s` as UTF-16 units at `at`. */
export function writeUnits(v: DataView, at: number, s: string): void {
  for (let k = 0; k < s.length; k++) v.setUint16(at + 2 * k, s.charCodeAt(k), true);
}

/** An order intent as the runtime builds it (the fields the plugin set, and only those). */
type Intent = { -readonly [K in keyof OrderIntent]: OrderIntent[K] };

/** The runtime's side: the tags the isolate named, by id. */
export class TagTable {
  private readonly tags: (string | undefined)[] = [];

  /** The tag of id `id`, read from its `units` units at `at` when they `follow`; null when the id was never named. */
  tagOf(v: DataView, id: number, follows: boolean, at: number, units: number): string | null {
    if (!follows) return this.tags[id] ?? null;
    const tag = readUnits(v, at, units);
    if (id !== TAG_INLINE) {
      if (id > MAX_TAGS) return null;
      this.tags[id] = tag;
    }
    return tag;
  }
}

/**
 * Reads the SUBMIT body of `bodyBytes` bytes at `at` into a new intent, or returns the one line
 * refusing it (a type or tif code or tag id this side does not know, a ragged tag).
 */
export function readIntent(v: DataView, at: number, bodyBytes: number, tags: TagTable): OrderIntent | string {
  const type = TYPES[v.getUint8(at + 48)];
  const tifAt = v.getUint8(at + 49);
  const tif = tifAt === 0 ? undefined : TIFS[tifAt - 1];
  const extra = bodyBytes - SUBMIT_BODY;
  const follows = v.getUint8(at + 51);
  if (type === undefined || (tifAt !== 0 && tif === undefined) || extra < 0 || extra % 2 !== 0 || follows > 1 || (follows === 0 && extra !== 0)) {
    return `ISOLATE_FRAME_UNKNOWN: ring=back unknown=submit type=${v.getUint8(at + 48)} tif=${tifAt} tagFollows=${follows} body=${bodyBytes}`;
  }
  const intent: Intent = { instrument: v.getFloat64(at, true), side: v.getFloat64(at + 8, true) as OrderIntent["side"], type, size: v.getFloat64(at + 16, true) };
  const flags = v.getUint8(at + 50);
  if ((flags & F_PRICE) !== 0) intent.price = v.getFloat64(at + 24, true);
  if ((flags & F_STOP) !== 0) intent.stopPrice = v.getFloat64(at + 32, true);
  if (tif !== undefined) intent.tif = tif;
  if ((flags & F_EXPIRE) !== 0) intent.expireTs = v.getFloat64(at + 40, true);
  if ((flags & F_POST_ONLY_SET) !== 0) intent.postOnly = (flags & F_POST_ONLY) !== 0;
  if ((flags & F_REDUCE_ONLY_SET) !== 0) intent.reduceOnly = (flags & F_REDUCE_ONLY) !== 0;
  const tagId = v.getUint32(at + 52, true);
  if (tagId !== 0) {
    const tag = tags.tagOf(v, tagId, follows === 1, at + SUBMIT_BODY, extra / 2);
    if (tag === null) return `ISOLATE_FRAME_UNKNOWN: ring=back unknown=tag id=${tagId} body=${bodyBytes}`;
    intent.tag = tag;
  }
  return intent;
}

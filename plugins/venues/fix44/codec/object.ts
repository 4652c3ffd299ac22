/**
 * Dictionary-driven conversion between FIX messages and plain objects keyed by field name,
 * with repeating groups as arrays of objects. Off the hot path: for building fixtures, admin
 * views, audit dumps and tests. Values are strings (as on the wire); the encoder writes body
 * fields in the object's key order and groups in array order.
 */
import type { FixEncoder } from "./encode.ts";
import type { FixMessage } from "./message.ts";
import type { Dictionary, GroupDef, MessageDef } from "../dictionary/types.ts";

/** A message body or group instance by field name; groups are arrays under their NumInGroup name. */
export interface FixFields {
  [name: string]: string | number | FixFields[];
}

/** Result of encoding an object: the bytes, or the name that the dictionary does not know. */
export type EncodedObject = { ok: true; bytes: Uint8Array } | { ok: false; code: "FIX_UNKNOWN_FIELD_NAME" | "FIX_UNKNOWN_MSG_TYPE"; reason: string };

/** Encodes header fields and a body given by field names; BeginString, BodyLength, MsgType and CheckSum are added. */
export function encodeObject(enc: FixEncoder, dict: Dictionary, msgType: string, fields: FixFields): EncodedObject {
  if (!dict.messages.has(msgType)) return { ok: false, code: "FIX_UNKNOWN_MSG_TYPE", reason: `msgType=${msgType}` };
  enc.begin(msgType);
  const bad = writeFields(enc, dict, fields);
  if (bad !== undefined) return { ok: false, code: "FIX_UNKNOWN_FIELD_NAME", reason: `name=${bad}` };
  return { ok: true, bytes: enc.finish() };
}

function writeFields(enc: FixEncoder, dict: Dictionary, fields: FixFields): string | undefined {
  for (const name of Object.keys(fields)) {
    const def = dict.fieldsByName.get(name);
    if (def === undefined) return name;
    const value = fields[name];
    if (Array.isArray(value)) {
      enc.int(def.tag, value.length);
      for (const instance of value) {
        const bad = writeFields(enc, dict, instance);
        if (bad !== undefined) return bad;
      }
    } else enc.str(def.tag, String(value));
  }
  return undefined;
}

/** Converts a decoded message into an object keyed by field name (header and trailer included). */
export function messageToObject(msg: FixMessage, dict: Dictionary): FixFields {
  const out: FixFields = {};
  const def = msg.def;
  let i = 0;
  while (i < msg.count) {
    const tag = msg.tags[i] as number;
    const name = dict.fields[tag]?.name ?? String(tag);
    const group = groupOf(def, dict, tag);
    if (group !== undefined && msg.endOf(i) > i + 1) {
      out[name] = readGroup(msg, dict, group, i);
      i = msg.endOf(i);
    } else {
      out[name] = msg.stringAt(i);
      i++;
    }
  }
  return out;
}

function groupOf(def: MessageDef | undefined, dict: Dictionary, tag: number): GroupDef | undefined {
  return def?.groups.get(tag) ?? dict.header.groups.get(tag);
}

function readGroup(msg: FixMessage, dict: Dictionary, group: GroupDef, at: number): FixFields[] {
  const instances: FixFields[] = [];
  const end = msg.endOf(at);
  for (let p = at + 1; p < end; p = msg.endOf(p)) {
    const instance: FixFields = {};
    const instEnd = msg.endOf(p);
    for (let q = p; q < instEnd; ) {
      const tag = msg.tags[q] as number;
      const name = dict.fields[tag]?.name ?? String(tag);
      const nested = group.groups.get(tag);
      if (nested !== undefined && q !== p) {
        instance[name] = readGroup(msg, dict, nested, q);
        q = msg.endOf(q);
      } else {
        instance[name] = msg.stringAt(q);
        q++;
      }
    }
    instances.push(instance);
  }
  return instances;
}

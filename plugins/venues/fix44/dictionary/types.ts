/**
 * The data dictionary as the codec uses it: field types by tag, message layouts with their
 * allowed and required tags, and repeating groups (count tag, delimiter tag, member tags),
 * all flattened from the QuickFIX XML so the decoder does array look-ups, never string work.
 */

/** Value kinds the codec validates and reads; each FIX type name maps to one. */
export const enum ValueKind {
  /** Free text: STRING, MULTIPLEVALUESTRING, CURRENCY, EXCHANGE, COUNTRY, dates and times. */
  Text = 1,
  /** Signed integer: INT, LENGTH, SEQNUM, NUMINGROUP, DAYOFMONTH, TAGNUM. */
  Int = 2,
  /** Decimal read as a scaled integer: PRICE, QTY, AMT, FLOAT, PRICEOFFSET, PERCENTAGE. */
  Decimal = 3,
  /** One character. */
  Char = 4,
  /** Y or N. */
  Bool = 5,
  /** Raw bytes whose length the preceding LENGTH field gives. */
  Data = 6,
}

/** One field of the dictionary. */
export interface FieldDef {
  readonly tag: number;
  readonly name: string;
  /** FIX type name as written in the dictionary, e.g. "PRICE". */
  readonly type: string;
  readonly kind: ValueKind;
}

/** A repeating group: the NUMINGROUP tag, the tag each instance starts with, and its members. */
export interface GroupDef {
  readonly countTag: number;
  readonly name: string;
  /** First field of every instance. */
  readonly delimiter: number;
  /** Every tag that may appear inside an instance at this level, nested count tags included. */
  readonly members: ReadonlySet<number>;
  /** Nested groups by count tag. */
  readonly groups: ReadonlyMap<number, GroupDef>;
  /** Tags required in each instance. */
  readonly required: readonly number[];
}

/** One message type with the tags its body may carry at the top level. */
export interface MessageDef {
  readonly msgType: string;
  readonly name: string;
  readonly admin: boolean;
  /** Top-level body tags (header and trailer excluded), group count tags included. */
  readonly fields: ReadonlySet<number>;
  readonly groups: ReadonlyMap<number, GroupDef>;
  readonly required: readonly number[];
}

/** A loaded data dictionary. */
export interface Dictionary {
  /** BeginString this dictionary speaks, e.g. "FIX.4.4" (FIXT.1.1 for FIX 5.0 SP2). */
  readonly beginString: string;
  /** Field definitions indexed by tag (sparse array). */
  readonly fields: readonly (FieldDef | undefined)[];
  readonly fieldsByName: ReadonlyMap<string, FieldDef>;
  /** Value kind by tag; 0 for a tag the dictionary does not define. */
  readonly kinds: Uint8Array;
  /** Tags of the standard header and trailer. */
  readonly header: MessageDef;
  readonly trailerTags: ReadonlySet<number>;
  readonly messages: ReadonlyMap<string, MessageDef>;
  /** Message definitions by packed MsgType key (see `msgTypeKey`). */
  readonly messagesByKey: ReadonlyMap<number, MessageDef>;
  /** Largest tag defined; arrays indexed by tag have this length plus one. */
  readonly maxTag: number;
}

/** Packs a MsgType of up to three ASCII characters into one integer, for look-ups without strings. */
export function msgTypeKey(msgType: string): number {
  let key = 0;
  for (let i = 0; i < msgType.length && i < 3; i++) key |= msgType.charCodeAt(i) << (8 * i);
  return msgType.length > 3 ? -1 : key;
}

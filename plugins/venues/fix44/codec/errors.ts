/**
 * The FIX codec's error catalogue. Every refusal is a stable code plus `key=value` context;
 * framing errors (garbled, truncated, bad length, bad checksum) mean the bytes are not a message
 * and are dropped with a log line, while validation errors name a FIX SessionRejectReason (373)
 * that the session sends back in a Reject. Codes are small integers on the hot path and turn into
 * text only when reported.
 */

/** Numeric error codes; 0 means no error. */
export const enum FixError {
  None = 0,
  /** More bytes are needed to complete the message (only while framing a stream). */
  Truncated = 1,
  /** Not a FIX frame: BeginString, BodyLength or the CheckSum field is missing or malformed. */
  Garbled = 2,
  /** BeginString is not the one this session speaks. */
  BadBeginString = 3,
  /** BodyLength does not end where the CheckSum field starts. */
  BadLength = 4,
  /** CheckSum does not match the bytes. */
  BadChecksum = 5,
  /** A field is not tag=value, a tag is not a positive integer, or a value is empty. */
  BadField = 6,
  /** The tag is not defined in the dictionary. */
  UnknownTag = 7,
  /** The tag is defined but not for this message type. */
  TagNotInMessage = 8,
  /** The tag appears twice outside a repeating group. */
  DuplicateTag = 9,
  /** A required tag is missing. */
  RequiredTagMissing = 10,
  /** The value does not match the field's type. */
  BadValueFormat = 11,
  /** NumInGroup disagrees with the instances present, or an instance does not start with the delimiter. */
  BadGroupCount = 12,
  /** The MsgType is not in the dictionary. */
  UnknownMsgType = 13,
  /** A header field comes after the body, or MsgType is not the third field. */
  BadFieldOrder = 14,
  /** The message has more fields than the decoder's capacity. */
  TooManyFields = 15,
}

/** Stable code names, indexed by `FixError`. */
export const FIX_ERROR_CODES: readonly string[] = [
  "FIX_OK", "FIX_TRUNCATED", "FIX_GARBLED", "FIX_BAD_BEGIN_STRING", "FIX_BAD_LENGTH", "FIX_BAD_CHECKSUM",
  "FIX_BAD_FIELD", "FIX_UNKNOWN_TAG", "FIX_TAG_NOT_IN_MESSAGE", "FIX_DUPLICATE_TAG", "FIX_REQUIRED_TAG_MISSING",
  "FIX_BAD_VALUE_FORMAT", "FIX_BAD_GROUP_COUNT", "FIX_UNKNOWN_MSG_TYPE", "FIX_BAD_FIELD_ORDER", "FIX_TOO_MANY_FIELDS",
];

/** SessionRejectReason (373) for each code; -1 for framing errors, which are dropped rather than rejected. */
export const SESSION_REJECT_REASON: readonly number[] = [-1, -1, -1, -1, -1, -1, 99, 0, 2, 13, 1, 6, 16, 11, 14, 99];

/** True when the error means the bytes are not a FIX frame at all (drop, do not reject). */
export function isFramingError(code: FixError): boolean {
  return code >= FixError.Truncated && code <= FixError.BadChecksum;
}

/** The context of the last error a decoder saw; reused, so copy what you keep. */
export interface FixErrorDetail {
  code: FixError;
  /** Tag the error is about, or 0. */
  tag: number;
  /** Byte offset in the frame where the problem was found. */
  offset: number;
  /** Expected and actual numbers where they apply (lengths, checksums, counts), else -1. */
  expected: number;
  actual: number;
}

/** Formats an error detail as `CODE: key=value ...` for logs, events and Reject text. */
export function describeFixError(e: FixErrorDetail): string {
  let text = FIX_ERROR_CODES[e.code] ?? `FIX_ERROR_${e.code}`;
  text += `: offset=${e.offset}`;
  if (e.tag > 0) text += ` tag=${e.tag}`;
  if (e.expected >= 0) text += ` expected=${e.expected}`;
  if (e.actual >= 0) text += ` actual=${e.actual}`;
  return text;
}

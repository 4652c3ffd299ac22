/**
 * Serving a ResendRequest from the message store: application messages go out again under
 * their original MsgSeqNum with PossDupFlag=Y and OrigSendingTime, while admin messages and
 * numbers the store lacks are covered by SequenceReset-GapFill messages, consecutive ones
 * collapsed into one.
 */
import type { FixDecoder } from "../codec/decode.ts";
import type { FixEncoder } from "../codec/encode.ts";
import { FixError } from "../codec/errors.ts";
import type { FixMessage } from "../codec/message.ts";
import type { MessageStore } from "./store.ts";

const ADMIN_TYPES = new Set(["0", "1", "2", "3", "4", "5", "A"]);
/** Header tags the resend rewrites rather than copies. */
const REWRITTEN = new Set([8, 9, 10, 35, 49, 56, 34, 52, 43, 122, 97]);

/** Starts a message with the standard header for a MsgType and MsgSeqNum. */
export type HeaderWriter = (msgType: string, seq: number) => FixEncoder;

/** Sends outbound messages [from, to] again from `store`, writing each with `header` and passing the bytes to `send`. */
export function replayOutbound(store: MessageStore, decoder: FixDecoder, header: HeaderWriter, now: number, from: number, to: number, send: (bytes: Uint8Array) => void): void {
  let gapStart = 0;
  for (let seq = from; seq <= to; seq++) {
    const stored = store.outbound(seq);
    const ok = stored !== undefined && decoder.decode(stored) === FixError.None;
    if (!ok || ADMIN_TYPES.has(decoder.message.msgType)) {
      if (gapStart === 0) gapStart = seq;
      continue;
    }
    if (gapStart > 0) send(header("4", gapStart).bool(43, true).timestamp(122, now).bool(123, true).int(36, seq).finish());
    gapStart = 0;
    send(resendOf(decoder.message, header).finish());
  }
  if (gapStart > 0) send(header("4", gapStart).bool(43, true).timestamp(122, now).bool(123, true).int(36, to + 1).finish());
}

function resendOf(m: FixMessage, header: HeaderWriter): FixEncoder {
  const enc = header(m.msgType, m.seqNum).bool(43, true);
  const orig = m.indexOf(52);
  if (orig >= 0) enc.copy(122, m.buf, m.valueStart[orig] as number, m.valueEnd[orig] as number);
  for (let i = 0; i < m.count; i++) {
    const t = m.tags[i] as number;
    if (!REWRITTEN.has(t)) enc.copy(t, m.buf, m.valueStart[i] as number, m.valueEnd[i] as number);
  }
  return enc;
}

/**
 * A scripted counterparty for session tests without sockets: builds the LP's messages with
 * correct headers and sequence numbers, and records and decodes what the session sends.
 */
import { FixDecoder } from "../codec/decode.ts";
import { FixEncoder } from "../codec/encode.ts";
import type { FixMessage } from "../codec/message.ts";
import type { Dictionary } from "../dictionary/types.ts";
import type { SessionEvent, SessionIo } from "../session/types.ts";

/** A sent or delivered message as tag -> value (first occurrence) plus its type. */
export interface SeenMessage {
  readonly type: string;
  readonly seq: number;
  readonly fields: ReadonlyMap<number, string>;
}

function seen(m: FixMessage): SeenMessage {
  const fields = new Map<number, string>();
  for (const [t, v] of m.toFields()) if (!fields.has(t)) fields.set(t, v);
  return { type: fields.get(35) ?? "", seq: Number(fields.get(34) ?? 0), fields };
}

/** Records everything a session does through its I/O. */
export class RecordingIo implements SessionIo {
  readonly sent: SeenMessage[] = [];
  readonly sentBytes: Uint8Array[] = [];
  readonly delivered: SeenMessage[] = [];
  readonly events: SessionEvent[] = [];
  readonly disconnects: string[] = [];
  private readonly decoder: FixDecoder;

  constructor(dict: Dictionary) {
    this.decoder = new FixDecoder(dict, { validate: false });
  }

  send(bytes: Uint8Array): void {
    this.sentBytes.push(bytes.slice());
    this.decoder.decode(bytes);
    this.sent.push(seen(this.decoder.message));
  }
  disconnect(reason: string): void { this.disconnects.push(reason); }
  app(msg: FixMessage): void { this.delivered.push(seen(msg)); }
  event(event: SessionEvent): void { this.events.push(event); }

  /** Codes of the events so far. */
  codes(): string[] {
    return this.events.map((e) => e.code);
  }
}

/** The counterparty's side: sequence numbers and message building. */
export class ScriptedPeer {
  nextSeq = 1;
  private readonly enc: FixEncoder;

  constructor(dict: Dictionary, readonly senderCompID = "LP1", readonly targetCompID = "KESTREL") {
    this.enc = new FixEncoder(dict.beginString);
  }

  /** Builds a message with the next sequence number (or `seq`); `body` is [tag, value] pairs. */
  message(type: string, body: [number, string | number][] = [], opts: { seq?: number; possDup?: boolean; now?: number } = {}): Uint8Array {
    const seq = opts.seq ?? this.nextSeq++;
    const e = this.enc.begin(type).str(49, this.senderCompID).str(56, this.targetCompID).int(34, seq);
    if (opts.possDup) e.bool(43, true);
    e.timestamp(52, opts.now ?? 1_764_000_000_000_000);
    if (opts.possDup) e.timestamp(122, opts.now ?? 1_764_000_000_000_000);
    for (const [t, v] of body) e.str(t, String(v));
    return e.finish().slice();
  }
}

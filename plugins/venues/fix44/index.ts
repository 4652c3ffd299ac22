/**
 * The FIX 4.4 / FIXT 1.1 (FIX 5.0 SP2) venue: a dictionary-driven tag=value codec with
 * zero-copy views, an initiator session state machine with its socket driver and message
 * stores, and `FixVenueCore`, the multi-session facade the runtime's venue adapter wraps.
 * Prices and sizes cross this boundary as integers in the instrument's increments.
 */
export { standardDictionary, parseDictionary, jspurefixDictionaryPath, type LoadedDictionary } from "./dictionary/load.ts";
export { type Dictionary, type FieldDef, type GroupDef, type MessageDef, ValueKind, msgTypeKey } from "./dictionary/types.ts";
export { FixDecoder, type DecoderOptions } from "./codec/decode.ts";
export { FixEncoder, fixBytes, fixText } from "./codec/encode.ts";
export { FixMessage } from "./codec/message.ts";
export { FixError, FIX_ERROR_CODES, SESSION_REJECT_REASON, describeFixError, isFramingError, type FixErrorDetail } from "./codec/errors.ts";
export { parseScaledAscii, parseIntAscii, writeScaledAscii, writeIntAscii } from "./codec/decimal.ts";
export { parseUtcTimestamp, writeUtcTimestamp } from "./codec/time.ts";
export { encodeObject, messageToObject, type FixFields, type EncodedObject } from "./codec/object.ts";
export { FixSession } from "./session/session.ts";
export { FixSocketDriver, wallClockMicros, type DriverOptions, type SessionHandlers } from "./session/driver.ts";
export { MemoryMessageStore, type MessageStore } from "./session/store.ts";
export { FileMessageStore } from "./session/file-store.ts";
export { validateSessionConfig, type SessionConfig, type SessionEvent, type SessionEventCode, type SessionIo, type SessionState } from "./session/types.ts";
export { FixVenueCore, validateVenueConfig, type FixSessionSpec, type FixVenueCallbacks, type FixVenueConfig, type FixVenueOptions } from "./core.ts";
export type { ExecKind, FixCancel, FixCancelReject, FixExecutionReport, FixInstrument, FixMessageReject, FixOrder, FixQuote, FixReplace, SendResult, Side } from "./app/types.ts";

import { defineVenue } from "../../sdk/venue.ts";
import { FixVenue } from "./fix-venue.ts";
import { FixVenueParams } from "./venue-params.ts";

export { FixVenue } from "./fix-venue.ts";
export { ConsolidatedBook } from "./consolidated-book.ts";

/** The `fix44` venue plugin: FIX 4.4 / 5.0 SP2 liquidity providers, consolidated. */
export default defineVenue({
  manifest: {
    name: "fix44",
    version: "0.1.0",
    kind: "venue",
    sdk: "^0.1.0",
    description: "FIX 4.4 / FIXT 1.1 liquidity providers: consolidated quotes, best-price routing, exactly-once execution reports",
    params: FixVenueParams,
    capabilities: ["execution", "market-data"],
  },
  create: (ctx) => new FixVenue(ctx as never, ctx.params),
});

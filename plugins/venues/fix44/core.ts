/**
 * `FixVenueCore`: several FIX initiator sessions (one per liquidity provider) behind one small
 * facade, for the runtime's venue adapter to wrap. It starts a socket driver per configured
 * session, subscribes to market data on each logon, turns W/X messages into top-of-book quotes
 * and ExecutionReport / OrderCancelReject / Reject messages into plain objects with integer
 * prices, and sends NewOrderSingle, OrderCancelRequest and OrderCancelReplaceRequest.
 * @example
 * const venue = new FixVenueCore(config, { quote: (q) => book.update(q), execution: (r) => oms.onReport(r) });
 * venue.start();
 * venue.sendOrder("lp1", { clOrdId: "c1", symbol: "EURUSD", side: "buy", type: "limit", quantity: 1000, price: 110015 });
 */
import type { TLSOptions } from "bun";
import type { FixEncoder } from "./codec/encode.ts";
import type { FixMessage } from "./codec/message.ts";
import { standardDictionary } from "./dictionary/load.ts";
import { FixSocketDriver, wallClockMicros } from "./session/driver.ts";
import { FileMessageStore } from "./session/file-store.ts";
import { MemoryMessageStore, type MessageStore } from "./session/store.ts";
import { validateSessionConfig, type SessionEvent } from "./session/types.ts";
import { SessionBooks } from "./app/book.ts";
import { orderProblem, writeCancel, writeMarketDataRequest, writeNewOrderSingle, writeOrderMassStatusRequest, writeReplace } from "./app/orders.ts";
import { readCancelReject, readExecutionReport, readMessageReject } from "./app/reports.ts";
import { positionsComplete, positionsReqIdOf, readPositionReport, readPositionsAck, writeRequestForPositions, type FixPositionsAnswer } from "./app/positions.ts";
import type { FixCancel, FixCancelReject, FixExecutionReport, FixInstrument, FixMessageReject, FixOrder, FixQuote, FixReplace, SendResult } from "./app/types.ts";

/** One liquidity provider's session. Credentials come from the environment variables named here. */
export interface FixSessionSpec {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly senderCompID: string;
  readonly targetCompID: string;
  readonly heartBtIntSec: number;
  readonly version?: "FIX44" | "FIX50SP2";
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
  /** Directory for the file message store; in memory when absent. */
  readonly storeDir?: string;
  readonly resetSeqNumOnLogon?: boolean;
  /** TLS: true, or Bun TLS options such as `{ ca, serverName }`. */
  readonly tls?: boolean | TLSOptions;
  /** Symbols to subscribe to on logon. */
  readonly symbols: readonly string[];
  /** MarketDepth (264): 1 is top of book (default), 0 full depth. */
  readonly marketDepth?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Daily logout and sequence reset, minutes after midnight UTC (see SessionConfig). */
  readonly dailyResetUtcMinutes?: number;
  readonly tickMs?: number;
}

/** The venue's configuration. */
export interface FixVenueConfig {
  readonly sessions: readonly FixSessionSpec[];
  readonly instruments: readonly FixInstrument[];
}

/** Where the venue's output goes; every callback is optional. */
export interface FixVenueCallbacks {
  quote?(quote: FixQuote): void;
  execution?(report: FixExecutionReport): void;
  cancelReject?(reject: FixCancelReject): void;
  reject?(reject: FixMessageReject): void;
  /** A provider's complete answer to a RequestForPositions (or its refusal, in `problem`). */
  positions?(session: string, reqId: string, answer: FixPositionsAnswer): void;
  /** Session events and venue problems (code plus key=value detail). */
  event?(session: string, event: SessionEvent): void;
}

/** Options for tests and embedding. */
export interface FixVenueOptions {
  readonly clock?: () => number;
  /** Environment to read credentials from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Running {
  readonly spec: FixSessionSpec;
  readonly driver: FixSocketDriver;
  readonly books: SessionBooks;
  readonly store: MessageStore;
}

/** Returns every problem in a venue configuration, as `path: expected` lines (empty when valid). */
export function validateVenueConfig(config: FixVenueConfig): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  config.sessions.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`sessions[${i}].name: unique, got ${s.name}`);
    names.add(s.name);
    if (!Number.isInteger(s.port) || s.port <= 0 || s.port > 65535) problems.push(`sessions[${i}].port: 1..65535`);
    const symbols = new Set(config.instruments.map((x) => x.symbol));
    for (const sym of s.symbols) if (!symbols.has(sym)) problems.push(`sessions[${i}].symbols: a configured instrument, got ${sym}`);
    for (const p of validateSessionConfig(s)) problems.push(`sessions[${i}].${p.path}: ${p.expected}`);
  });
  return problems;
}

/** Several FIX sessions feeding quotes and execution reports to callbacks. */
export class FixVenueCore {
  private readonly sessions = new Map<string, Running>();
  private readonly instruments: ReadonlyMap<string, FixInstrument>;
  private readonly callbacks: FixVenueCallbacks;
  private readonly clock: () => number;
  private readonly positionAsks = new Map<string, { session: string; answer: FixPositionsAnswer }>();

  constructor(config: FixVenueConfig, callbacks: FixVenueCallbacks, options: FixVenueOptions = {}) {
    const problems = validateVenueConfig(config);
    if (problems.length > 0) throw new Error(`FIX_VENUE_CONFIG: ${problems.join("; ")}`);
    this.instruments = new Map(config.instruments.map((i) => [i.symbol, i]));
    this.callbacks = callbacks;
    this.clock = options.clock ?? wallClockMicros;
    const env = options.env ?? process.env;
    for (const spec of config.sessions) {
      const store = spec.storeDir !== undefined ? new FileMessageStore(spec.storeDir) : new MemoryMessageStore();
      const books = new SessionBooks(spec.name, this.instruments, spec.marketDepth ?? 1);
      const running: { driver?: FixSocketDriver } = {};
      const driver = new FixSocketDriver(
        {
          dict: standardDictionary(spec.version ?? "FIX44"),
          senderCompID: spec.senderCompID,
          targetCompID: spec.targetCompID,
          heartBtIntSec: spec.heartBtIntSec,
          resetSeqNumOnLogon: spec.resetSeqNumOnLogon,
          username: spec.usernameEnv !== undefined ? env[spec.usernameEnv] : undefined,
          password: spec.passwordEnv !== undefined ? env[spec.passwordEnv] : undefined,
          reconnectMinMs: spec.reconnectMinMs,
          reconnectMaxMs: spec.reconnectMaxMs,
          dailyResetUtcMinutes: spec.dailyResetUtcMinutes,
        },
        store,
        {
          app: (m) => this.onApp(spec.name, books, m),
          event: (e) => this.onEvent(spec, books, running.driver, e),
        },
        { host: spec.host, port: spec.port, tls: spec.tls, clock: this.clock, tickMs: spec.tickMs },
      );
      running.driver = driver;
      this.sessions.set(spec.name, { spec, driver, books, store });
    }
  }

  /** Connects every session (and keeps reconnecting). */
  start(): void {
    for (const s of this.sessions.values()) s.driver.start();
  }

  /** Logs every session out and closes the stores. */
  async stop(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.driver.stop()));
    for (const s of this.sessions.values()) s.store.close();
  }

  /** The driver of a session (state, forced disconnects in tests), or undefined. */
  driver(session: string): FixSocketDriver | undefined {
    return this.sessions.get(session)?.driver;
  }

  private onEvent(spec: FixSessionSpec, books: SessionBooks, driver: FixSocketDriver | undefined, e: SessionEvent): void {
    if (e.code === "FIX_SESSION_LOGON" && driver !== undefined && spec.symbols.length > 0) {
      const enc = driver.session.beginMessage("V", e.at);
      if (enc !== undefined) {
        writeMarketDataRequest(enc, `md-${spec.name}`, spec.symbols, spec.marketDepth ?? 1);
        driver.session.commit();
      }
    }
    if (e.code === "FIX_SESSION_DISCONNECTED") books.clear();
    this.callbacks.event?.(spec.name, e);
  }

  private onApp(session: string, books: SessionBooks, m: FixMessage): void {
    const now = this.clock();
    switch (m.msgType) {
      case "W":
      case "X": {
        const { symbols, problems } = books.apply(m);
        for (const p of problems) this.callbacks.event?.(session, { code: "FIX_SESSION_PROTOCOL_ERROR", at: now, detail: p });
        for (const s of symbols) this.callbacks.quote?.(books.quote(s, now));
        return;
      }
      case "8": {
        const symbol = m.string(55) ?? "";
        const { report, inexact } = readExecutionReport(session, m, this.instruments.get(symbol), now);
        if (inexact.length > 0) {
          this.callbacks.event?.(session, { code: "FIX_SESSION_PROTOCOL_ERROR", at: now, detail: `FIX_VENUE_INEXACT_DECIMAL: exec_id=${report.execId} tags=${inexact.join(",")}` });
        }
        this.callbacks.execution?.(report);
        return;
      }
      case "AO":
      case "AP": {
        const reqId = positionsReqIdOf(m) ?? "";
        const ask = this.positionAsks.get(reqId);
        if (ask === undefined || ask.session !== session) {
          this.callbacks.event?.(session, { code: "FIX_SESSION_PROTOCOL_ERROR", at: now, detail: `FIX_VENUE_POSITIONS_UNASKED: msg_type=${m.msgType} pos_req_id=${reqId}` });
          return;
        }
        if (m.msgType === "AO") readPositionsAck(m, ask.answer);
        else readPositionReport(m, ask.answer, this.instruments);
        if (positionsComplete(ask.answer)) {
          this.positionAsks.delete(reqId);
          this.callbacks.positions?.(session, reqId, ask.answer);
        }
        return;
      }
      case "9":
        this.callbacks.cancelReject?.(readCancelReject(session, m));
        return;
      case "3":
      case "j":
        this.callbacks.reject?.(readMessageReject(session, m));
        return;
      default:
    }
  }

  private send(session: string, msgType: string, symbol: string, write: (enc: FixEncoder, instrument: FixInstrument, now: number) => void): SendResult {
    const s = this.sessions.get(session);
    if (s === undefined) return { ok: false, code: "FIX_VENUE_UNKNOWN_SESSION", reason: `session=${session}` };
    const instrument = this.instruments.get(symbol);
    if (instrument === undefined) return { ok: false, code: "FIX_VENUE_UNKNOWN_SYMBOL", reason: `symbol=${symbol}` };
    const now = this.clock();
    const enc = s.driver.session.beginMessage(msgType, now);
    if (enc === undefined) return { ok: false, code: "FIX_VENUE_SESSION_DOWN", reason: `session=${session} state=${s.driver.session.state}` };
    write(enc, instrument, now);
    return { ok: true, seq: s.driver.session.commit() };
  }

  /** Sends an OrderMassStatusRequest for all orders; the answers come back as execution reports of kind "status". */
  requestMassStatus(session: string, reqId: string): SendResult {
    const s = this.sessions.get(session);
    if (s === undefined) return { ok: false, code: "FIX_VENUE_UNKNOWN_SESSION", reason: `session=${session}` };
    const now = this.clock();
    const enc = s.driver.session.beginMessage("AF", now);
    if (enc === undefined) return { ok: false, code: "FIX_VENUE_SESSION_DOWN", reason: `session=${session} state=${s.driver.session.state}` };
    writeOrderMassStatusRequest(enc, reqId);
    return { ok: true, seq: s.driver.session.commit() };
  }

  /**
   * Sends a RequestForPositions (positions of `account` today, UTC); the answer comes to the
   * `positions` callback once the ack and every announced PositionReport have arrived.
   */
  requestPositions(session: string, reqId: string, account: string): SendResult {
    const s = this.sessions.get(session);
    if (s === undefined) return { ok: false, code: "FIX_VENUE_UNKNOWN_SESSION", reason: `session=${session}` };
    const now = this.clock();
    const enc = s.driver.session.beginMessage("AN", now);
    if (enc === undefined) return { ok: false, code: "FIX_VENUE_SESSION_DOWN", reason: `session=${session} state=${s.driver.session.state}` };
    const date = new Date(Math.floor(now / 1000)).toISOString().slice(0, 10).replaceAll("-", "");
    writeRequestForPositions(enc, reqId, account, date, now);
    this.positionAsks.set(reqId, { session, answer: { positions: new Map(), expected: -1, received: 0, problem: null } });
    return { ok: true, seq: s.driver.session.commit() };
  }

  /** Ends a RequestForPositions the provider refused (a Reject naming AN): the answer carries `problem`. */
  refusePositions(session: string, problem: string): void {
    for (const [reqId, ask] of this.positionAsks) {
      if (ask.session !== session) continue;
      this.positionAsks.delete(reqId);
      ask.answer.problem = problem;
      this.callbacks.positions?.(session, reqId, ask.answer);
    }
  }

  /** Sends a NewOrderSingle. */
  sendOrder(session: string, order: FixOrder): SendResult {
    const problem = orderProblem(order, this.instruments.get(order.symbol));
    if (problem !== undefined) return { ok: false, code: problem.split(":")[0] as string, reason: problem };
    return this.send(session, "D", order.symbol, (enc, inst, now) => writeNewOrderSingle(enc, order, inst, now));
  }

  /** Sends an OrderCancelRequest. */
  cancelOrder(session: string, cancel: FixCancel): SendResult {
    return this.send(session, "F", cancel.symbol, (enc, inst, now) => writeCancel(enc, cancel, inst, now));
  }

  /** Sends an OrderCancelReplaceRequest. */
  replaceOrder(session: string, replace: FixReplace): SendResult {
    const problem = orderProblem(replace, this.instruments.get(replace.symbol));
    if (problem !== undefined) return { ok: false, code: problem.split(":")[0] as string, reason: problem };
    return this.send(session, "G", replace.symbol, (enc, inst, now) => writeReplace(enc, replace, inst, now));
  }
}

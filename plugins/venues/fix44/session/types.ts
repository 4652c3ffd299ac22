/**
 * Configuration, events and I/O of a FIX initiator session. The session is a state machine:
 * the driver feeds it bytes and clock values and it acts through `SessionIo` — bytes to send,
 * a connection to drop, application messages to deliver, events to log.
 */
import type { FixMessage } from "../codec/message.ts";
import type { Dictionary } from "../dictionary/types.ts";
import type { MessageStore } from "./store.ts";

/** One session's settings; validated by `validateSessionConfig`. */
export interface SessionConfig {
  readonly dict: Dictionary;
  readonly senderCompID: string;
  readonly targetCompID: string;
  /** HeartBtInt (108) in seconds. */
  readonly heartBtIntSec: number;
  /** Send ResetSeqNumFlag=Y on Logon and start both sides at 1 (default false). */
  readonly resetSeqNumOnLogon?: boolean;
  readonly username?: string;
  readonly password?: string;
  /** Microseconds to wait for the Logon answer (default 10 s). */
  readonly logonTimeoutUs?: number;
  /** Microseconds to wait for the Logout answer (default 2 s). */
  readonly logoutTimeoutUs?: number;
  /** Reconnect backoff bounds in milliseconds (default 250 .. 30 000). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /**
   * Daily session end as minutes after midnight UTC (e.g. 1320 for 22:00, the FX day's end in
   * New York winter time): an active session logs out when it passes, and the first connection
   * after it resets both sequence numbers to 1 (ResetSeqNumFlag=Y). Absent: one endless session.
   */
  readonly dailyResetUtcMinutes?: number;
}

/** Session states. */
export type SessionState = "disconnected" | "logon-sent" | "active" | "logout-sent";

/** Stable event codes a session reports. */
export type SessionEventCode =
  | "FIX_SESSION_CONNECTED"
  | "FIX_SESSION_LOGON"
  | "FIX_SESSION_LOGOUT"
  | "FIX_SESSION_DISCONNECTED"
  | "FIX_SESSION_RESEND_REQUESTED"
  | "FIX_SESSION_RESEND_SERVED"
  | "FIX_SESSION_GAP_FILLED"
  | "FIX_SESSION_SEQ_RESET"
  | "FIX_SESSION_DUPLICATE_IGNORED"
  | "FIX_SESSION_INBOUND_REJECTED"
  | "FIX_SESSION_INBOUND_DROPPED"
  | "FIX_SESSION_PEER_REJECT"
  | "FIX_SESSION_TEST_REQUEST_SENT"
  | "FIX_SESSION_SEQ_TOO_LOW"
  | "FIX_SESSION_PROTOCOL_ERROR"
  | "FIX_SESSION_END_OF_DAY";

/** Something the session did or saw, with `key=value` detail. */
export interface SessionEvent {
  readonly code: SessionEventCode;
  /** Clock value (microseconds) when it happened. */
  readonly at: number;
  readonly detail: string;
}

/** The session's way out: implemented by the socket driver, or by a recorder in tests. */
export interface SessionIo {
  /** Writes bytes to the counterparty; the view is only valid during the call. */
  send(bytes: Uint8Array): void;
  /** Drops the connection; the session has already moved to "disconnected". */
  disconnect(reason: string): void;
  /** Delivers an in-order application message (or a session Reject); the view is valid during the call. */
  app(msg: FixMessage): void;
  event(event: SessionEvent): void;
}

/** Why a session configuration cannot be used. */
export type ConfigProblem = { path: string; expected: string };

/** Returns every problem with a session configuration (empty when it is valid). */
export function validateSessionConfig(c: Omit<SessionConfig, "dict">): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (c.senderCompID === "") problems.push({ path: "senderCompID", expected: "non-empty" });
  if (c.targetCompID === "") problems.push({ path: "targetCompID", expected: "non-empty" });
  if (!Number.isInteger(c.heartBtIntSec) || c.heartBtIntSec < 1) problems.push({ path: "heartBtIntSec", expected: "integer >= 1" });
  const min = c.reconnectMinMs ?? 250, max = c.reconnectMaxMs ?? 30_000;
  if (!(min > 0) || !(max >= min)) problems.push({ path: "reconnectMinMs", expected: "0 < reconnectMinMs <= reconnectMaxMs" });
  const reset = c.dailyResetUtcMinutes;
  if (reset !== undefined && !(Number.isInteger(reset) && reset >= 0 && reset < 1440)) problems.push({ path: "dailyResetUtcMinutes", expected: "integer in 0..1439" });
  return problems;
}

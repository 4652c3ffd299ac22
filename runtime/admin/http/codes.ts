/**
 * The admin plane's error codes, each with the HTTP status it answers and what it means. Every
 * error body carries one of these (or, for a refused order, the risk engine's own code with 422).
 */

/** Codes of the admin API. */
export const ADMIN_CODES = {
  ADMIN_BAD_REQUEST: { status: 400, meaning: "a path parameter, query parameter or body field is invalid; `problems` lists each with its path" },
  ADMIN_BAD_JSON: { status: 400, meaning: "the body is not JSON" },
  ADMIN_NOT_WEBSOCKET: { status: 400, meaning: "a /ws/* path was requested without a WebSocket upgrade" },
  AUTH_MISSING: { status: 401, meaning: "no bearer token (header, or ?token= on a stream)" },
  AUTH_MALFORMED: { status: 401, meaning: "the token is not a JWT, lacks exp, or uses another algorithm" },
  AUTH_BAD_SIGNATURE: { status: 401, meaning: "no accepted key verifies the token's signature" },
  AUTH_EXPIRED: { status: 401, meaning: "the token's exp has passed" },
  AUTH_BAD_ROLE: { status: 401, meaning: "the token's role is not analyst, trader or admin" },
  AUTH_FORBIDDEN: { status: 403, meaning: "the token's role is below the route's" },
  ADMIN_NOT_FOUND: { status: 404, meaning: "no such route, or no stored backtest result with that id" },
  ADMIN_UNKNOWN_VENUE: { status: 404, meaning: "no such venue in this deployment" },
  ADMIN_UNKNOWN_ORDER: { status: 404, meaning: "no such order id" },
  ADMIN_UNKNOWN_STRATEGY: { status: 404, meaning: "no such strategy instance" },
  ADMIN_UNKNOWN_ALERT: { status: 404, meaning: "no such alert id" },
  ADMIN_UNKNOWN_SCENARIO: { status: 404, meaning: "no stress scenario of that name (built-in or the deployment's stress-limit custom ones); the message lists the known ones" },
  ADMIN_UNKNOWN_RULE: { status: 404, meaning: "no risk plugin of that name in this deployment" },
  ADMIN_NOT_CANCELABLE: { status: 409, meaning: "the order is terminal or already pending cancel" },
  ADMIN_STRATEGY_QUARANTINED: { status: 409, meaning: "a quarantined strategy cannot be paused or resumed" },
  ADMIN_STRATEGY_NOT_QUARANTINED: { status: 409, meaning: "only a quarantined strategy can be restarted" },
  ADMIN_RESTART_FAILED: { status: 409, meaning: "the strategy threw again while restarting; it stays quarantined" },
  ADMIN_DEPLOY_FAILED: { status: 409, meaning: "the new plugin version could not be loaded or started; the old version keeps running" },
  ADMIN_NO_SHADOW_MODEL: { status: 409, meaning: "the deployment runs no shadow model (models.shadow), so there is nothing to promote" },
  ADMIN_PROMOTE_MISMATCH: { status: 409, meaning: "the body's `expect` does not name the current shadow model (someone promoted in between?); nothing changed" },
  ADMIN_RATE_LIMITED: { status: 429, meaning: "this token sent more than its rate; the kill switch routes are exempt" },
  ADMIN_INTERNAL: { status: 500, meaning: "a handler threw (a bug); the message says what" },
  ADMIN_NOT_READY: { status: 503, meaning: "some instrument has no quote yet" },
  // Parent orders and execution algorithms (issue 16).
  ADMIN_NO_ALGOS: { status: 404, meaning: "the deployment has no execution.algos" },
  ADMIN_UNKNOWN_PARENT: { status: 404, meaning: "no such parent order id" },
  ADMIN_UNKNOWN_INSTRUMENT: { status: 404, meaning: "no instrument of this deployment has that symbol" },
  ADMIN_PARENT_STATE: { status: 409, meaning: "the parent's state does not allow that (terminal, already canceling, already paused)" },
  REPORT_BAD_DATE: { status: 400, meaning: "the date is not a calendar date (YYYY-MM-DD)" },
  REPORT_NO_JOURNAL: { status: 409, meaning: "the session keeps no journal to report from" },
  ADMIN_UNKNOWN_ORDER_EXPLAIN: { status: 404, meaning: "no order with that id in the journal" },
} as const;

/** An admin API error code. */
export type AdminErrorCode = keyof typeof ADMIN_CODES;

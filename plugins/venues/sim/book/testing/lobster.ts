/**
 * Replays a LOBSTER message file into an L3 book and checks the book against LOBSTER's own
 * order-book file after every message (LOBSTER_SampleFiles_ReadMe.txt describes both files).
 *
 * New orders (type 1) are submitted post-only (a NASDAQ add never crosses); partial cancels (2),
 * deletions (3) and visible executions (4) reduce the named order; hidden executions (5) and
 * halts (7) leave the visible book alone. Two things the message file cannot tell are taken from
 * the order-book file, and only those:
 * - the book at 09:30 (orders entered before the open): row 0 with message 0 undone seeds one
 *   synthetic order per level, which absorbs cancels and executions of orders the book never saw;
 * - depth beyond the 10-level window. A level-10 LOBSTER file only carries messages for prices
 *   inside the window of the previous row, so when a level leaves the window (a level above it
 *   emptied) the level that slides in from below was never described. Such a revealed level is
 *   seeded as a synthetic order, and whatever sits outside the window is dropped after each row,
 *   because its later history is not in the file.
 * Every level inside the previous window must match without help; then every full row (40
 * columns, with the dummy prices for empty levels) must match exactly.
 */
import { BookResult, OrderFlag, OrderType, Side, TimeInForce } from "../codes.ts";
import { L3Book } from "../l3-book.ts";

/** LOBSTER's price for an empty ask level. */
export const DUMMY_ASK = 9999999999;
/** LOBSTER's price for an empty bid level. */
export const DUMMY_BID = -9999999999;
const LEVELS = 10;
const COLS = 4 * LEVELS;
const SYNTHETIC_BASE = 2 ** 40;

/** Messages as columns: type, order id, size, price (dollars x 10,000), direction (1 buy, -1 sell). */
export interface LobsterMessages {
  readonly count: number;
  readonly type: Int8Array;
  readonly id: Float64Array;
  readonly size: Float64Array;
  readonly price: Float64Array;
  readonly direction: Int8Array;
}

/** Parses the integers of a CSV (skipping the first `skip` fields of each line) into `out`; returns rows. */
function parseCsv(bytes: Uint8Array, skip: number, cols: number, out: Float64Array): number {
  let row = 0;
  let col = -skip;
  let value = 0;
  let neg = false;
  let inField = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 44 || c === 10) {
      if (col >= 0) out[row * cols + col] = neg ? -value : value;
      value = 0;
      neg = false;
      inField = false;
      if (c === 10) {
        row++;
        col = -skip;
      } else col++;
    } else if (col >= 0) {
      if (c === 45) neg = true;
      else if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      else if (c !== 13) throw new Error(`LOBSTER_PARSE: row=${row}, col=${col}, byte=${c}`);
      inField = true;
    }
  }
  if (inField && col >= 0) {
    out[row * cols + col] = neg ? -value : value;
    row++;
  }
  return row;
}

/** Reads a gzipped LOBSTER message file. */
export function readMessages(gz: Uint8Array<ArrayBuffer>, maxRows: number): LobsterMessages {
  const raw = new Float64Array(maxRows * 5);
  const count = parseCsv(Bun.gunzipSync(gz), 1, 5, raw);
  const m = { count, type: new Int8Array(count), id: new Float64Array(count), size: new Float64Array(count), price: new Float64Array(count), direction: new Int8Array(count) };
  for (let i = 0; i < count; i++) {
    m.type[i] = raw[i * 5];
    m.id[i] = raw[i * 5 + 1];
    m.size[i] = raw[i * 5 + 2];
    m.price[i] = raw[i * 5 + 3];
    m.direction[i] = raw[i * 5 + 4];
  }
  return m;
}

/** Reads a gzipped LOBSTER 10-level order-book file: 40 numbers per row. */
export function readBookRows(gz: Uint8Array<ArrayBuffer>, maxRows: number): { count: number; rows: Float64Array } {
  const rows = new Float64Array(maxRows * COLS);
  const count = parseCsv(Bun.gunzipSync(gz), 0, COLS, rows);
  return { count, rows };
}

/** Outcome of a replay. */
export interface ReplayReport {
  /** Rows that matched all 40 columns. */
  readonly rowsMatched: number;
  /** Levels seeded from beyond the previous row's window. */
  readonly revealedLevels: number;
  /** Cancels/executions of orders the book never saw, absorbed by synthetic orders. */
  readonly unseenOrderReductions: number;
}

/** Replays `msgs` and checks every row of `rows`; throws `LOBSTER_*` errors with context at the first mismatch. */
export function replayAndCheck(msgs: LobsterMessages, rows: Float64Array): ReplayReport {
  const book = new L3Book({ capacity: 1 << 16 });
  const synthetic = [new Map<number, number>(), new Map<number, number>()];
  let nextSynthetic = SYNTHETIC_BASE;
  let revealedLevels = 0;
  let unseenOrderReductions = 0;
  const prices = new Float64Array(LEVELS + 2);
  const sizes = new Float64Array(LEVELS + 2);
  const counts = new Int32Array(LEVELS + 2);
  const ids = new Float64Array(4096);
  const ours = new Float64Array(COLS);
  /** Per side, the 10th level's price when the side had 10 levels after the previous row, else NaN. */
  const windowEdge = [Number.NaN, Number.NaN];

  const fail = (code: string, i: number, extra: string): never => {
    throw new Error(`${code}: message=${i}, type=${msgs.type[i]}, order_id=${msgs.id[i]}, size=${msgs.size[i]}, price=${msgs.price[i]}, direction=${msgs.direction[i]}, ${extra}`);
  };
  // LOBSTER's direction is the SDK's side: 1 buy, -1 sell.
  const sideOf = (direction: number): Side => (direction === 1 ? Side.BUY : Side.SELL);
  /** 0 for bids, 1 for asks: index of the per-side arrays below. */
  const ix = (side: Side): number => (side === Side.BUY ? 0 : 1);
  const worse = (side: Side, a: number, b: number): boolean => (side === Side.BUY ? a < b : a > b);
  const addSynthetic = (side: Side, price: number, size: number, i: number): void => {
    const existing = synthetic[ix(side)].get(price);
    if (existing !== undefined) {
      if (book.replace(existing, price, book.remaining(existing) + size) !== BookResult.ACCEPTED) fail("LOBSTER_SEED", i, `price=${price}`);
      return;
    }
    const id = nextSynthetic++;
    const r = book.submit(id, side, OrderType.LIMIT, TimeInForce.GTC, OrderFlag.POST_ONLY, price, 0, size, 0);
    if (r !== BookResult.ACCEPTED) fail("LOBSTER_SEED", i, `result=${r}, seed_price=${price}`);
    synthetic[ix(side)].set(price, id);
  };
  const reduceSynthetic = (side: Side, price: number, size: number, i: number): void => {
    const id = synthetic[ix(side)].get(price);
    if (id === undefined || book.reduce(id, size) !== BookResult.ACCEPTED) fail("LOBSTER_UNSEEN_ORDER", i, `synthetic=${id ?? "none"}`);
    if (book.remaining(id!) === -1) synthetic[ix(side)].delete(price);
  };
  const rowLevel = (r: number, side: Side, k: number, col: number): number => rows[r * COLS + 4 * k + (side === Side.BUY ? 2 : 0) + col];

  // Seed: row 0 with message 0 undone is the book at the open.
  for (const side of [Side.BUY, Side.SELL] as const) {
    for (let k = 0; k < LEVELS; k++) if (rowLevel(0, side, k, 1) > 0) addSynthetic(side, rowLevel(0, side, k, 0), rowLevel(0, side, k, 1), 0);
  }
  const t0 = msgs.type[0];
  if (t0 === 1) reduceSynthetic(sideOf(msgs.direction[0]), msgs.price[0], msgs.size[0], 0);
  else if (t0 >= 2 && t0 <= 4) addSynthetic(sideOf(msgs.direction[0]), msgs.price[0], msgs.size[0], 0);
  for (const side of [Side.BUY, Side.SELL] as const) {
    const n = book.depth(side, LEVELS, prices, sizes, counts);
    windowEdge[ix(side)] = n === LEVELS ? prices[LEVELS - 1] : Number.NaN;
  }

  for (let i = 0; i < msgs.count; i++) {
    const type = msgs.type[i];
    const id = msgs.id[i];
    const size = msgs.size[i];
    const price = msgs.price[i];
    const side = sideOf(msgs.direction[i]);
    if (type === 1) {
      const r = book.submit(id, side, OrderType.LIMIT, TimeInForce.GTC, OrderFlag.POST_ONLY, price, 0, size, 0);
      if (r !== BookResult.ACCEPTED) fail("LOBSTER_ADD_REFUSED", i, `result=${r}`);
    } else if (type >= 2 && type <= 4) {
      const rem = book.remaining(id);
      if (rem === -1) {
        unseenOrderReductions++;
        reduceSynthetic(side, price, size, i);
      } else if ((type === 3 && rem !== size) || book.reduce(id, size) !== BookResult.ACCEPTED) {
        fail("LOBSTER_REDUCE_REFUSED", i, `remaining=${rem}`);
      }
    } else if (type !== 5 && type !== 7) fail("LOBSTER_UNKNOWN_TYPE", i, "");

    for (const s of [Side.BUY, Side.SELL] as const) {
      const edge = windowEdge[ix(s)];
      const inWindow = (p: number): boolean => Number.isNaN(edge) || !worse(s, p, edge);
      // Inside the previous window the book must already agree with the row, level for level.
      const n = book.depth(s, LEVELS, prices, sizes, counts);
      let k = 0;
      for (let j = 0; j < n && inWindow(prices[j]); j++, k++) {
        if (rowLevel(i, s, j, 0) !== prices[j] || rowLevel(i, s, j, 1) !== sizes[j]) {
          fail("LOBSTER_ROW_MISMATCH", i, `side=${s}, level=${j}, ours=${prices[j]}x${sizes[j]}, row=${rowLevel(i, s, j, 0)}x${rowLevel(i, s, j, 1)}`);
        }
      }
      if (k < LEVELS && rowLevel(i, s, k, 1) > 0 && inWindow(rowLevel(i, s, k, 0))) fail("LOBSTER_ROW_MISMATCH", i, `side=${s}, level=${k}, ours=none`);
      // Levels that slid in from beyond the window are seeded from the row.
      for (let j = k; j < LEVELS; j++) {
        const p = rowLevel(i, s, j, 0);
        const z = rowLevel(i, s, j, 1);
        if (z === 0 || inWindow(p)) continue;
        if (book.remaining(synthetic[ix(s)].get(p) ?? -1) !== -1 || book.ordersAt(s, p, ids) > 0) fail("LOBSTER_REVEAL_OCCUPIED", i, `side=${s}, price=${p}`);
        addSynthetic(s, p, z, i);
        revealedLevels++;
      }
      // Whatever lies beyond the new window is forgotten: the file will not say what happens there.
      const m = book.depth(s, LEVELS + 2, prices, sizes, counts);
      for (let j = LEVELS; j < m; j++) {
        const c = book.ordersAt(s, prices[j], ids);
        for (let q = 0; q < c; q++) book.cancel(ids[q]);
        synthetic[ix(s)].delete(prices[j]);
      }
      if (m > LEVELS + 1) fail("LOBSTER_WINDOW_OVERFLOW", i, `side=${s}, levels=${m}`);
      const kept = Math.min(m, LEVELS);
      windowEdge[ix(s)] = kept === LEVELS ? prices[LEVELS - 1] : Number.NaN;
      for (let j = 0; j < LEVELS; j++) {
        const base = 4 * j + (s === Side.BUY ? 2 : 0);
        ours[base] = j < kept ? prices[j] : s === Side.BUY ? DUMMY_BID : DUMMY_ASK;
        ours[base + 1] = j < kept ? sizes[j] : 0;
      }
    }
    for (let c = 0; c < COLS; c++) {
      if (ours[c] !== rows[i * COLS + c]) fail("LOBSTER_ROW_MISMATCH", i, `column=${c}, ours=${ours[c]}, row=${rows[i * COLS + c]}`);
    }
  }
  return { rowsMatched: msgs.count, revealedLevels, unseenOrderReductions };
}

/**
 * What the session saw when it decided each recent order, for explanations: the instrument's book
 * at that moment (the quote that triggered it), its feature vector and the model's signal. The
 * journal keeps the order's causes by id (event, plugin version, model version@answer time); the
 * values themselves live here, in a ring of preallocated slots — recording copies into the next
 * slot and allocates nothing, so the newest `capacity` orders can be explained with their values.
 */

/** The values behind one order. */
export interface DecisionValues {
  readonly orderId: number;
  readonly instrument: number;
  /** Kernel time of the book the order was decided on, and its touch (ticks, sizes). */
  readonly bookTs: number;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** Feature values by name (NaN before a feature is warm). */
  readonly features: Record<string, number>;
  /** The model's signal for the instrument (NaN when the session runs no model). */
  readonly signal: number;
}

/** Where the recorder reads the session's state from. */
export interface DecisionSources {
  book(instrument: number): { ts: number; bid: number; ask: number; bidSize: number; askSize: number } | undefined;
  features(instrument: number): Float64Array;
  featureNames: readonly string[];
  signal(instrument: number): number;
}

/** A ring of the values behind the newest orders. */
export class DecisionRing {
  private readonly ids: Float64Array;
  private readonly instruments: Int32Array;
  private readonly books: Float64Array;
  private readonly values: Float64Array;
  private readonly signals: Float64Array;
  private readonly width: number;
  private next = 0;

  constructor(private readonly src: DecisionSources, readonly capacity = 4096) {
    this.width = src.featureNames.length;
    this.ids = new Float64Array(capacity);
    this.instruments = new Int32Array(capacity);
    this.books = new Float64Array(capacity * 5);
    this.values = new Float64Array(capacity * this.width);
    this.signals = new Float64Array(capacity);
  }

  /** Records what the session sees now as the decision behind `orderId`. */
  record(orderId: number, instrument: number): void {
    const slot = this.next;
    this.next = (slot + 1) % this.capacity;
    this.ids[slot] = orderId;
    this.instruments[slot] = instrument;
    const b = this.src.book(instrument);
    const o = slot * 5;
    this.books[o] = b?.ts ?? 0;
    this.books[o + 1] = b?.bid ?? 0;
    this.books[o + 2] = b?.ask ?? 0;
    this.books[o + 3] = b?.bidSize ?? 0;
    this.books[o + 4] = b?.askSize ?? 0;
    const f = this.src.features(instrument);
    const n = Math.min(this.width, f.length);
    for (let k = 0; k < n; k++) this.values[slot * this.width + k] = f[k]!;
    this.signals[slot] = this.src.signal(instrument);
  }

  /** The values behind an order, or null when it is older than the ring (or was never recorded). */
  get(orderId: number): DecisionValues | null {
    for (let i = 0; i < this.capacity; i++) {
      const slot = (this.next - 1 - i + this.capacity) % this.capacity;
      if (this.ids[slot] !== orderId) continue;
      const features: Record<string, number> = {};
      this.src.featureNames.forEach((name, k) => (features[name] = this.values[slot * this.width + k]!));
      const o = slot * 5;
      return {
        orderId, instrument: this.instruments[slot]!, bookTs: this.books[o]!, bid: this.books[o + 1]!, ask: this.books[o + 2]!,
        bidSize: this.books[o + 3]!, askSize: this.books[o + 4]!, features, signal: this.signals[slot]!,
      };
    }
    return null;
  }
}

/**
 * The recorder's text labels (reject and cancel reasons) as small integer ids for the order-state
 * rows, written to the store's `labels` table at close. Bounded: the first `maxTexts` distinct texts
 * keep their own label; after that a new text gets the label of its normalised form (its reason code
 * — the leading `UPPER_CASE` word — or, without one, the text with digit runs as `#`, cut to 80
 * characters), at most `maxForms` of those; past both, the label `(other)`. Each text answered with
 * a normalised label is counted in `folded` (the journal keeps every full reason).
 */

/** Distinct full texts a label table keeps by default. */
export const DEFAULT_MAX_LABEL_TEXTS = 4096;
/** Distinct normalised forms kept after the full texts by default. */
export const DEFAULT_MAX_LABEL_FORMS = 256;
/** Label of texts past both limits. */
export const OTHER_LABEL = "(other)";

/** Normalised form of a reason: its code, or the text with numbers as `#` (at most 80 characters). */
export function labelForm(text: string): string {
  const code = /^[A-Z][A-Z0-9_]{2,}/.exec(text);
  return code !== null ? code[0] : text.replace(/\d+/g, "#").slice(0, 80);
}

/** Text labels with integer ids; id 0 is the empty text. */
export class LabelTable {
  private readonly ids = new Map<string, number>([["", 0]]);
  private texts = 0;
  private forms = 0;
  /** Lookups of a new text past `maxTexts` that were answered with a normalised label. */
  folded = 0;

  constructor(
    readonly maxTexts = DEFAULT_MAX_LABEL_TEXTS,
    readonly maxForms = DEFAULT_MAX_LABEL_FORMS,
  ) {}

  /** Labels held (the empty one included). */
  get size(): number {
    return this.ids.size;
  }

  /** The id of `text`'s label (see the module comment); allocates only for a new text. */
  id(text: string): number {
    const known = this.ids.get(text);
    if (known !== undefined) return known;
    if (this.texts < this.maxTexts) {
      this.texts++;
      return this.add(text);
    }
    this.folded++;
    const form = labelForm(text);
    const f = this.ids.get(form);
    if (f !== undefined) return f;
    if (this.forms < this.maxForms) {
      this.forms++;
      return this.add(form);
    }
    return this.ids.get(OTHER_LABEL) ?? this.add(OTHER_LABEL);
  }

  /** Every label as [text, id]. */
  entries(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }

  private add(text: string): number {
    const id = this.ids.size;
    this.ids.set(text, id);
    return id;
  }
}

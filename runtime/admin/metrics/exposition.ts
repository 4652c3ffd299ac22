/**
 * A small writer of the Prometheus text exposition format (version 0.0.4): one HELP and TYPE line
 * per family, label values escaped, families never repeated.
 */

/** Prometheus metric types used here. */
export type MetricType = "counter" | "gauge" | "summary";

/** Labels of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** Collects families and renders them as text. */
export class Exposition {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();
  private current = "";

  /** Starts a family; throws if the name was used (a bug in the caller). */
  family(name: string, type: MetricType, help: string): this {
    if (this.seen.has(name)) throw new Error(`ADMIN_METRIC_DUPLICATE: name=${name}`);
    this.seen.add(name);
    this.current = name;
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** Adds a sample of the current family (name may carry a suffix such as _sum or _count). */
  sample(name: string, value: number, labels?: Labels): this {
    if (name !== this.current && name !== `${this.current}_sum` && name !== `${this.current}_count`) {
      throw new Error(`ADMIN_METRIC_OUT_OF_FAMILY: sample=${name} family=${this.current}`);
    }
    const text = Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value);
    this.lines.push(`${name}${labelText(labels)} ${text}`);
    return this;
  }

  /** The exposition text, ending with a newline. */
  render(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return "";
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

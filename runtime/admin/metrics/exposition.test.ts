/** The exposition writer: escaping, families in order, samples only under their own family. */
import { describe, expect, test } from "bun:test";
import { Exposition } from "./exposition.ts";

describe("exposition", () => {
  test("label values and help text are escaped; special values are spelled as Prometheus reads them", () => {
    const text = new Exposition()
      .family("x_total", "counter", "Line one\nline two \\ end")
      .sample("x_total", 3, { reason: 'say "hi"\\now\n' })
      .family("y", "gauge", "y")
      .sample("y", Number.NaN)
      .sample("y", Infinity, { k: "v" })
      .render();
    expect(text).toBe(
      ["# HELP x_total Line one\\nline two \\\\ end", "# TYPE x_total counter", 'x_total{reason="say \\"hi\\"\\\\now\\n"} 3', "# HELP y y", "# TYPE y gauge", "y NaN", 'y{k="v"} +Inf', ""].join("\n"),
    );
  });

  test("a sample outside its family or a repeated family is a bug and throws", () => {
    const x = new Exposition().family("a", "gauge", "a").family("b", "gauge", "b");
    expect(() => x.sample("a", 1)).toThrow("ADMIN_METRIC_OUT_OF_FAMILY");
    expect(() => x.family("a", "gauge", "again")).toThrow("ADMIN_METRIC_DUPLICATE");
    expect(() => new Exposition().family("s", "summary", "s").sample("s_sum", 1).sample("s_count", 2)).not.toThrow();
  });
});

/** Just enough semantic versioning to check a manifest's SDK range: x.y.z with ^, ~, >=, <, = and *. */

type Triple = [number, number, number];

/** Parses "1.2.3" (missing parts are 0); null if malformed. */
export function parseVersion(text: string): Triple | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** True when `version` satisfies every space-separated comparator of `range`; null if the range is malformed. */
export function satisfies(version: string, range: string): boolean | null {
  const v = parseVersion(version);
  if (v === null) return null;
  const parts = range.trim().split(/\s+/);
  for (const part of parts) {
    if (part === "*" || part === "") continue;
    const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(part);
    if (m === null) return null;
    const r = parseVersion(m[2]!);
    if (r === null) return null;
    const c = compare(v, r);
    switch (m[1] ?? "=") {
      case "^": {
        // ^0.y.z pins the minor while the major is 0, as npm does.
        const upper: Triple = r[0] > 0 ? [r[0] + 1, 0, 0] : [0, r[1] + 1, 0];
        if (c < 0 || compare(v, upper) >= 0) return false;
        break;
      }
      case "~":
        if (c < 0 || compare(v, [r[0], r[1] + 1, 0]) >= 0) return false;
        break;
      case ">=": if (c < 0) return false; break;
      case "<=": if (c > 0) return false; break;
      case ">": if (c <= 0) return false; break;
      case "<": if (c >= 0) return false; break;
      default: if (c !== 0) return false;
    }
  }
  return true;
}

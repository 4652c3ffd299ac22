/** Test helper: a real WebSocket client that collects decoded messages and its close code/reason. */
import { decode } from "@msgpack/msgpack";
import type { PaperFixture } from "./paper-session.ts";
import { waitFor } from "./paper-session.ts";

/** A connected stream client. */
export interface StreamProbe {
  readonly messages: any[];
  closed: { code: number; reason: string } | null;
  /** Waits until some message satisfies `pred` and returns it. */
  until(pred: (m: any) => boolean, what: string, limitMs?: number): Promise<any>;
  close(): void;
}

/** Opens `path` (with its query, without the token) on the fixture's server. */
export async function openStream(f: PaperFixture, path: string, token: string): Promise<StreamProbe> {
  const url = new URL(path, f.admin.url.replace(/^http/, "ws"));
  url.searchParams.set("token", token);
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const probe: StreamProbe = {
    messages: [],
    closed: null,
    async until(pred, what, limitMs = 10_000) {
      let found: unknown;
      await waitFor(() => (found = probe.messages.find(pred)) !== undefined, limitMs, what);
      return found;
    },
    close: () => ws.close(1000),
  };
  ws.onmessage = (ev) => probe.messages.push(typeof ev.data === "string" ? JSON.parse(ev.data) : decode(new Uint8Array(ev.data as ArrayBuffer)));
  ws.onclose = (ev) => (probe.closed = { code: ev.code, reason: ev.reason });
  await waitFor(() => probe.messages.length > 0 || probe.closed !== null, 5000, `${path} hello`);
  return probe;
}

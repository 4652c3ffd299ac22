/**
 * Test helper run as a Worker: a client on a thread of its own. It waits (Atomics.wait) until
 * slot 0 of the shared flags is set, then (after `delayMs`, if given) requests every URL at once; as each answer arrives it stores the
 * status in slot 1 + i (so a thread that is busy can see answers arrive without an event loop), and
 * finally posts the statuses and bodies.
 */
declare const self: Worker;

self.onmessage = async (ev: MessageEvent<{ flags: SharedArrayBuffer; urls: string[]; token: string; delayMs?: number }>) => {
  const { flags, urls, token, delayMs } = ev.data;
  const f = new Int32Array(flags);
  // Warm the connection pool first, so the timed requests need no new connection.
  await fetch(urls[0]!, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer());
  self.postMessage({ ready: true });
  Atomics.wait(f, 0, 0);
  if (delayMs !== undefined) await Bun.sleep(delayMs);
  const bodies = await Promise.all(
    urls.map(async (url, i) => {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      const text = await res.text();
      Atomics.store(f, 1 + i, res.status);
      return text;
    }),
  );
  self.postMessage({ bodies });
};

/**
 * What an isolate removes before its plugin's module is imported: every way the grants do not
 * allow, through the globals (fetch, WebSocket, Bun.connect, Bun.spawn, Bun.file, timers) and
 * through Node's built-in modules (node:net, node:dgram, node:tls, node:http(s), node:fs,
 * node:child_process, ...), whose exports are replaced on the module objects themselves, so a
 * plugin's `import { connect } from "node:net"` binds the denial. Nested workers and FFI are
 * never granted (either would start outside these walls). What remains open is listed in
 * runtime/plugins/isolate/README.md.
 */

/** Throws the error a plugin gets for what it was not granted. */
function deny(what: string): never {
  throw new Error(`PLUGIN_CAPABILITY: ${what} is not granted to an isolated plugin`);
}

/**
 * Replaces every function export of a built-in module (or only `names`) with a denial. Classes
 * stay (other built-ins extend them as they load): their connecting methods are denied instead.
 */
function denyModule(specifier: string, what: string, names?: readonly string[]): void {
  const mod = require(specifier) as Record<string, unknown>;
  for (const name of names ?? Object.keys(mod)) {
    if (typeof mod[name] !== "function" || !/^[a-z]/.test(name)) continue;
    const label = `${what} (${specifier} ${name})`;
    mod[name] = () => deny(label);
  }
}

/** Denies methods on a built-in class's prototype (a socket made some other way cannot connect). */
function denyMethods(specifier: string, cls: string, methods: readonly string[], what: string): void {
  const proto = ((require(specifier) as Record<string, { prototype?: Record<string, unknown> } | undefined>)[cls])?.prototype;
  if (proto === undefined) return;
  for (const m of methods) proto[m] = () => deny(`${what} (${specifier} ${cls}.${m})`);
}

/** Removes what `grants` do not allow from this worker's globals and built-in modules. */
export function lockDown(grants: readonly string[]): void {
  const g = globalThis as Record<string, unknown>;
  const bun = Bun as unknown as Record<string, unknown>;
  if (!grants.includes("network")) {
    g.fetch = () => deny("network (fetch)");
    g.WebSocket = function () {
      deny("network (WebSocket)");
    };
    g.EventSource = function () {
      deny("network (EventSource)");
    };
    for (const name of ["connect", "listen", "serve", "udpSocket"]) bun[name] = () => deny(`network (Bun.${name})`);
    denyModule("node:net", "network", ["connect", "createConnection", "createServer"]);
    denyMethods("node:net", "Socket", ["connect"], "network");
    denyMethods("node:net", "Server", ["listen"], "network");
    denyModule("node:tls", "network", ["connect", "createServer"]);
    denyModule("node:dgram", "network", ["createSocket"]);
    denyMethods("node:dgram", "Socket", ["bind", "connect", "send"], "network");
    for (const m of ["node:http", "node:https"]) denyModule(m, "network", ["request", "get", "createServer"]);
    denyMethods("node:http", "Server", ["listen"], "network");
    denyModule("node:http2", "network", ["connect", "createServer", "createSecureServer"]);
  }
  if (!grants.includes("subprocess")) {
    for (const name of ["spawn", "spawnSync", "$"]) bun[name] = () => deny(`subprocesses (Bun.${name})`);
    denyModule("node:child_process", "subprocesses");
  }
  if (!grants.includes("files")) {
    for (const name of ["file", "write", "mmap"]) bun[name] = () => deny(`files (Bun.${name})`);
    denyModule("node:fs", "files");
    denyModule("node:fs/promises", "files");
  }
  if (!grants.includes("env")) {
    for (const k of Object.keys(process.env)) delete process.env[k];
  }
  if (!grants.includes("timers")) {
    for (const name of ["setTimeout", "setInterval", "setImmediate"]) g[name] = () => deny("wall-clock timers (use ctx.setTimer)");
    denyModule("node:timers", "wall-clock timers (use ctx.setTimer)", ["setTimeout", "setInterval", "setImmediate"]);
  }
  // Never granted: a nested worker or native code would run outside every wall above.
  g.Worker = function () {
    deny("nested workers");
  };
  const threads = require("node:worker_threads") as Record<string, unknown>;
  threads.Worker = function () {
    deny("nested workers (node:worker_threads Worker)");
  };
  denyModule("bun:ffi", "native code (FFI)", ["dlopen", "linkSymbols", "cc", "CFunction"]);
}

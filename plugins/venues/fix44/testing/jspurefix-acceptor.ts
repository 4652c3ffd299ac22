/**
 * A second, independent counterparty for the FIX tests: a jspurefix (pure TypeScript FIX
 * engine) acceptor that quotes EURUSD and fills or rejects orders like the QuickFIX one.
 * Runs as its own process: `bun jspurefix-acceptor.ts <port> <SenderCompID> <TargetCompID>`;
 * prints "READY <port>" when listening on 127.0.0.1 and exits when stdin closes.
 */
import "reflect-metadata";
import { createRequire } from "node:module";
import net from "node:net";

const require = createRequire(import.meta.url);
const { SessionLauncher } = require("jspurefix/dist/runtime");
const { AsciiSession } = require("jspurefix/dist/transport/ascii/ascii-session");

interface View { getString(tag: number): string | null }

// jspurefix listens on every interface; the tests want loopback only.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  const call = listen as (this: net.Server, ...a: unknown[]) => net.Server;
  if (typeof args[0] === "number" && args.length === 1) return call.call(this, args[0], "127.0.0.1", () => console.log(`READY ${args[0]}`));
  return call.apply(this, args);
} as typeof listen;

const [port, sender, target] = [Number(process.argv[2]), process.argv[3] ?? "LP2", process.argv[4] ?? "KESTREL"];
const quiet = { logger: () => ({ info() {}, warning() {}, error() {}, debug() {} }), plain: () => ({ info() {}, warning() {}, error() {}, debug() {} }) };

let nextId = 1;
const BID = 1.1, ASK = 1.1001;

class ProviderSession extends AsciiSession {
  constructor(config: unknown) {
    super(config);
    (this as unknown as { logReceivedMsgs: boolean }).logReceivedMsgs = false;
  }
  onApplicationMsg(msgType: string, view: View): void {
    const s = (tag: number) => view.getString(tag) ?? "";
    const send = (type: string, obj: object) => (this as unknown as { send(t: string, o: object): void }).send(type, obj);
    if (msgType === "V") {
      send("W", { MDReqID: s(262), Instrument: { Symbol: "EURUSD" }, MDFullGrp: { NoMDEntries: [{ MDEntryType: "0", MDEntryPx: BID, MDEntrySize: 1_000_000 }, { MDEntryType: "1", MDEntryPx: ASK, MDEntrySize: 1_000_000 }] } });
      return;
    }
    if (msgType !== "D") return;
    const qty = Number(s(38));
    const base = { OrderID: `J${nextId++}`, ClOrdID: s(11), Instrument: { Symbol: s(55) }, Side: s(54), OrderQtyData: { OrderQty: qty }, OrdType: s(40) };
    if (s(55) !== "EURUSD") {
      send("8", { ...base, ExecID: `JX${nextId++}`, ExecType: "8", OrdStatus: "8", LeavesQty: 0, CumQty: 0, AvgPx: 0, Text: `unknown symbol ${s(55)}` });
      return;
    }
    const px = s(54) === "1" ? ASK : BID;
    send("8", { ...base, ExecID: `JX${nextId++}`, ExecType: "0", OrdStatus: "0", LeavesQty: qty, CumQty: 0, AvgPx: 0 });
    send("8", { ...base, ExecID: `JX${nextId++}`, ExecType: "F", OrdStatus: "2", LastQty: qty, LastPx: px, LeavesQty: 0, CumQty: qty, AvgPx: px });
  }
  onReady(): void { console.log("LOGON"); }
  onLogon(): boolean { return true; }
  onStopped(): void { console.log("STOPPED"); }
  onDecoded(): void {}
  onEncoded(): void {}
}

class Launcher extends SessionLauncher {
  constructor() {
    super(null, {
      application: { type: "acceptor", name: "jsp_lp", tcp: { host: "127.0.0.1", port }, protocol: "ascii", dictionary: "qf44" },
      EncryptMethod: 0, ResetSeqNumFlag: false, HeartBtInt: 30, SenderCompId: sender, TargetCompID: target, BeginString: "FIX.4.4",
    }, { logger: quiet.logger, plain: quiet.plain });
  }
  makeFactory(): object {
    return { makeSession: (config: unknown) => new ProviderSession(config) };
  }
}

const launcher = new Launcher();
launcher.run().catch((e: Error) => console.log(`ERROR ${e.message}`));
for await (const _ of process.stdin) { /* runs until stdin closes */ }
launcher.stop();
process.exit(0);

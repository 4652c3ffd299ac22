/**
 * Ending a real-time session from the command line, always. The first SIGINT or SIGTERM asks for a
 * graceful stop (working orders canceled, journal flushed, summary printed); a second one exits at
 * once. Once the session is stopping (a signal, or `--for` ran out) a watchdog bounds the rest:
 * if closing the admin server, the sidecars or the store has not finished within the grace period,
 * the process prints `kestrel: SHUTDOWN_TIMEOUT: step=... waitedMs=...` and exits 1. Its timer is
 * unreferenced, so it never keeps the process alive by itself; every exit runs the process-exit
 * releases (segments removed, sidecars killed).
 */

/** Default grace for the stopping steps, in milliseconds (KESTREL_SHUTDOWN_GRACE_MS overrides). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 15_000;

/** Exit code after a second signal (128 + SIGINT). */
export const EXIT_FORCED = 130;

/** The stop control of one run. */
export interface StopControl {
  /** Resolves on the first SIGINT/SIGTERM. */
  readonly signal: Promise<void>;
  /** Whether a signal has asked for the stop. */
  readonly requested: boolean;
  /** Marks the session as running: from now on a signal arms the watchdog at once. */
  begin(): void;
  /** Arms the watchdog (once) and names the step under way. */
  stopping(step: string): void;
  /** Names the step under way, for the timeout line. */
  step(name: string): void;
  /** Removes the signal handlers and disarms the watchdog. */
  dispose(): void;
}

/** Options of the stop control. */
export interface StopOptions {
  /** Grace for the stopping steps, ms. */
  graceMs?: number;
  /** Where notices go (default stderr). */
  write?: (line: string) => void;
  /** How the process ends when it must (default process.exit). */
  exit?: (code: number) => void;
}

/** Installs the SIGINT/SIGTERM handlers of a run. */
export function installStopSignals(opts: StopOptions = {}): StopControl {
  const envGrace = Number(process.env.KESTREL_SHUTDOWN_GRACE_MS);
  const graceMs = opts.graceMs ?? (envGrace > 0 ? envGrace : DEFAULT_SHUTDOWN_GRACE_MS);
  const write = opts.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let requested = false;
  let running = false;
  let current = "stopping the loop";
  let armedAt = 0;
  let watchdog: ReturnType<typeof setTimeout> | null = null;
  let resolveSignal!: () => void;
  const signal = new Promise<void>((r) => (resolveSignal = r));

  const arm = () => {
    if (watchdog !== null) return;
    armedAt = performance.now();
    watchdog = setTimeout(() => {
      write(`kestrel: SHUTDOWN_TIMEOUT: step=${JSON.stringify(current)} waitedMs=${Math.round(performance.now() - armedAt)} graceMs=${graceMs}`);
      exit(1);
    }, graceMs);
    watchdog.unref();
  };
  const onSignal = (name: NodeJS.Signals) => {
    if (requested) {
      write(`\nkestrel: second ${name}: exiting now`);
      exit(EXIT_FORCED);
      return;
    }
    requested = true;
    write(`\nstopping: canceling working orders and flushing the journal... (${name} again to exit at once)`);
    resolveSignal();
    if (running) arm();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal,
    get requested() {
      return requested;
    },
    begin() {
      running = true;
      if (requested) arm();
    },
    stopping(step) {
      current = step;
      arm();
    },
    step(name) {
      current = name;
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (watchdog !== null) clearTimeout(watchdog);
      watchdog = null;
    },
  };
}

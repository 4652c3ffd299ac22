/**
 * Plugin manifests: explicit data that says what a plugin is, which SDK it needs, the schema of its
 * params, and what it asks of the runtime. The loader validates all of it before anything starts.
 */
import type { TSchema } from "@sinclair/typebox";

/** Version of this SDK; a manifest's `sdk` range must accept it. */
export const SDK_VERSION = "0.1.0";

/** The kinds of plugin. */
export type PluginKind = "strategy" | "risk" | "venue" | "algo" | "router";

/** What a plugin may ask the runtime for. */
export type Capability = "orders" | "timers" | "features" | "market-data" | "execution";

/**
 * What an isolated plugin may reach beyond its context, when its manifest asks and the deployment
 * grants it: the network, files, subprocesses, the environment, wall-clock timers.
 */
export type Grant = "network" | "files" | "subprocess" | "env" | "timers";

/** Every grant a manifest may ask for. */
export const GRANTS: readonly Grant[] = ["network", "files", "subprocess", "env", "timers"];

/** What the runtime does with a quarantined plugin's working orders. */
export type QuarantinePolicy = "cancel-all" | "leave";

/** Static description of a plugin. */
export interface Manifest<P extends TSchema = TSchema> {
  /** Package-like name, lower-case with dashes, e.g. "obi-scalper". */
  readonly name: string;
  /** Semantic version of the plugin. */
  readonly version: string;
  readonly kind: PluginKind;
  /** Range of SDK versions the plugin supports, e.g. "^0.1.0". */
  readonly sdk: string;
  readonly description?: string;
  /** TypeBox schema of the params the YAML gives this plugin. */
  readonly params: P;
  /** How many instruments the plugin can be given. */
  readonly instruments?: { readonly min?: number; readonly max?: number };
  /** Feature names the plugin reads (must exist in the feature engine's layout). */
  readonly features?: readonly string[];
  readonly capabilities?: readonly Capability[];
  /**
   * What the plugin asks to reach beyond its context (strategies). Each must be in the
   * deployment's `capabilities:` for it, or the deployment fails its check; an isolated plugin gets
   * only what it asked for and was granted.
   */
  readonly grants?: readonly Grant[];
  /** Default "cancel-all". */
  readonly onQuarantine?: QuarantinePolicy;
}

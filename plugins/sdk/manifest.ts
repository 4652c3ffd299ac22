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
  /** Default "cancel-all". */
  readonly onQuarantine?: QuarantinePolicy;
}

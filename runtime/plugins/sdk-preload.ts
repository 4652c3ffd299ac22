/** Preloaded by `kestrel plugin test`: serves `kestrel/sdk` to the plugin folder in KESTREL_PLUGIN_DIR. */
import { serveSdkTo } from "./sdk-resolver.ts";

const dir = process.env.KESTREL_PLUGIN_DIR;
if (dir !== undefined && dir !== "") serveSdkTo(dir);

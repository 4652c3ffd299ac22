/** Where a deployment's audit log lives: `audit.path`, or beside the journal (`<journal>.audit.jsonl`). */
import { resolve } from "node:path";
import type { DeploymentConfig } from "../config/schema.ts";

/** The audit log path for a deployment journaling to `journalPath` ("" or null: none). */
export function auditPathFor(config: DeploymentConfig, journalPath: string | null): string | null {
  if (config.audit?.enabled === false) return null;
  if (config.audit?.path !== undefined) return resolve(config.audit.path);
  return journalPath === null || journalPath === "" ? null : `${journalPath}.audit.jsonl`;
}

// STUB for the organization preflight's branch: the organization helper's config/organization-load.ts
// replaces this file (same signature) when the branches are integrated.
import type { AccountsFile, OrganizationConfig, ResolvedOrganization } from "./organization-types";

export interface OrganizationLoadOptions {
  /** The time the configuration is judged at. */
  readonly now: Date;
  /** Only the member stacks of this wave. @default every wave */
  readonly wave?: string;
  /** Only the member stacks of the accounts in this OU path and the OUs below it. @default every OU */
  readonly ou?: string;
}

/** The organization resolved from its configuration and the accounts file, or a ValidationError naming every problem. */
export function loadOrganization(
  _config: OrganizationConfig,
  _accounts: AccountsFile,
  _options: OrganizationLoadOptions,
): ResolvedOrganization {
  throw new Error("not implemented: config/organization-load.ts is a stub until organization mode's loader is merged");
}

// Entry point of `npm run preflight` and the vss-preflight bin: the one place that reads the wall clock
// and the organization's files.
import { readFileSync } from "fs";
import { join } from "path";
import { organization } from "../config/organization";
import { loadOrganization } from "../config/organization-load";
import type { AccountsFile } from "../config/organization-types";
import { errorText } from "./aws";
import { main } from "./cli";
import { PreflightError } from "./run";

/** config/accounts.json, from preflight/bin.ts and from its bundle in .build/ alike. */
const ACCOUNTS_FILE = join(__dirname, "..", "config", "accounts.json");

function readAccountsFile(): AccountsFile {
  try {
    return JSON.parse(readFileSync(ACCOUNTS_FILE, "utf8")) as AccountsFile;
  } catch (error) {
    throw new PreflightError(
      `cannot read config/accounts.json (${errorText(error)}); write it with npm run accounts -- sync`,
    );
  }
}

function organizationSource() {
  if (!organization)
    throw new PreflightError("organization mode is not configured: config/organization.ts exports no organization");
  return { config: organization, accounts: readAccountsFile(), loadOrganization };
}

main(process.argv.slice(2), {
  now: new Date(),
  organization: organizationSource,
}).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`preflight failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);

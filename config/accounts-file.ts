import { readFileSync } from "fs";
import { join } from "path";
import type { AccountsFile } from "./organization-types";

/** config/accounts.json, from config/ and from a bundle in .build/ alike (both one folder below the project). */
export const ACCOUNTS_FILE = join(__dirname, "..", "config", "accounts.json");

/** The committed accounts file; its shape is judged by loadOrganization, with every other problem. */
export function readAccountsFile(path: string = ACCOUNTS_FILE): AccountsFile {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as AccountsFile;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read config/accounts.json (${reason}); write it with npm run accounts -- sync`);
  }
}

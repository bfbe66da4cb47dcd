import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ACCOUNTS_FILE, readAccountsFile } from "../../config/accounts-file";

describe("readAccountsFile", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "accounts-file-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("reads the accounts file as written", () => {
    const path = join(directory, "accounts.json");
    writeFileSync(path, '{"managementAccountId":"999999999999","accounts":[],"organizationalUnits":[]}');
    expect(readAccountsFile(path)).toEqual({
      managementAccountId: "999999999999",
      accounts: [],
      organizationalUnits: [],
    });
  });

  it("names a missing file and the command that writes it", () => {
    const path = join(directory, "accounts.json");
    // fs errors cross jest's sandbox, so they are not `instanceof Error` here and may read "Error: ENOENT".
    const escapedPath = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(() => readAccountsFile(path)).toThrow(
      new RegExp(
        `^cannot read config/accounts\\.json \\((Error: )?ENOENT: no such file or directory, open '${escapedPath}'\\); write it with npm run accounts -- sync$`,
      ),
    );
  });

  it("names a file that is not JSON", () => {
    const path = join(directory, "accounts.json");
    writeFileSync(path, "");
    expect(() => readAccountsFile(path)).toThrow(
      new Error(
        "cannot read config/accounts.json (Unexpected end of JSON input); write it with npm run accounts -- sync",
      ),
    );
  });

  it("reads config/accounts.json of the project by default", () => {
    expect(ACCOUNTS_FILE).toBe(join(__dirname, "..", "..", "config", "accounts.json"));
  });
});

import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import {
  findProviderMirror,
  formatDiagnostics,
  missingTools,
  Tool,
  ValidateOutput,
  writeCliConfig,
} from "../../scripts/terraform/tools";

/** Everything this tier writes lives here (git-ignored) and is removed first. */
export const TIER_DIR = resolve(__dirname, "..", "..", ".cache", "terraform-tier");

export interface Tier {
  /** Environment for terraform: the project's CLI configuration, no network needed. */
  readonly env: NodeJS.ProcessEnv;
  /** describe, or describe.skip when a tool is missing outside CI. */
  readonly describe: jest.Describe;
}

/**
 * Finds the tools a test file needs. A missing tool skips the file's tests with one line naming it;
 * with CI=true it fails. Call at the top level of a test file.
 */
export function terraformTier(
  name: string,
  needs: readonly Tool[] = ["terraform", "provider mirror", "moto_server"],
): Tier {
  const mirror = needs.includes("provider mirror") ? findProviderMirror() : undefined;
  const missing = missingTools(mirror, needs);
  if (missing.length > 0) {
    if (process.env.CI === "true") {
      describe(name, () =>
        it(`has ${needs.join(", ")} (CI=true: missing tools fail)`, () => expect(missing).toEqual([])),
      );
    } else {
      console.log(`${name} skipped: ${missing.join("; ")}`);
    }
    return { env: {}, describe: describe.skip };
  }
  return {
    env: needs.includes("terraform")
      ? { ...process.env, TF_CLI_CONFIG_FILE: writeCliConfig(mirror) }
      : { ...process.env },
    describe,
  };
}

/** An empty directory under TIER_DIR. */
export function freshDir(...parts: string[]): string {
  const dir = join(TIER_DIR, ...parts);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The tier's verdict on `terraform validate -json`: valid, zero errors, zero warnings; a failure shows "file:line: summary". */
export function expectClean(output: ValidateOutput): void {
  expect({ valid: output.valid, diagnostics: formatDiagnostics(output) }).toEqual({ valid: true, diagnostics: [] });
  expect([output.error_count, output.warning_count]).toEqual([0, 0]);
}

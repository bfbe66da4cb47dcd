import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import { findProviderMirror, formatDiagnostics, missingTools, ValidateOutput, writeCliConfig } from "../../scripts/terraform/tools";

/** Everything this tier writes lives here (git-ignored) and is removed first. */
export const TIER_DIR = resolve(__dirname, "..", "..", ".cache", "terraform-tier");

export interface Tier {
  /** Environment for terraform: the project's CLI configuration, no network needed. */
  readonly env: NodeJS.ProcessEnv;
  /** describe, or describe.skip when a tool is missing outside CI. */
  readonly describe: jest.Describe;
}

/**
 * Finds the tools. A missing tool skips the tier with one line naming it; with CI=true it fails.
 * Call at the top level of a test file.
 */
export function terraformTier(name: string): Tier {
  const mirror = findProviderMirror();
  const missing = missingTools(mirror);
  if (missing.length > 0) {
    if (process.env.CI === "true") {
      describe(name, () => it("has Terraform, the provider mirror and moto_server (CI=true: missing tools fail)", () => expect(missing).toEqual([])));
    } else {
      console.log(`terraform tier skipped: ${missing.join("; ")}`);
    }
    return { env: {}, describe: describe.skip };
  }
  const cliConfig = writeCliConfig(mirror);
  return { env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig }, describe };
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

import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import {
  findProviderMirror,
  formatDiagnostics,
  missingTools,
  terraformOk,
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

/** A resource change of `terraform show -json <saved plan>`. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly change: { readonly actions: string[]; readonly after: Record<string, unknown> };
}

/** A resource of the state, as `terraform show -json` gives it. */
export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** One stack's stages against moto, each a promise the tests await (a failed stage fails its tests with Terraform's output). */
export interface PlanApplyDestroy {
  readonly plan: Promise<PlannedChange[]>;
  readonly applied: Promise<StateResource[]>;
  /** Destroys what was applied, once (after the read-back tests, or in afterAll); resolves to `terraform state list`. */
  readonly destroy: () => Promise<string>;
}

/** `promise`, which the tests await: this only keeps Node from calling its rejection unhandled meanwhile. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Once `validated` resolves, plans the stack in `dir` (a saved plan, read back as JSON), applies only
 * the resources of `appliedTypes` (what moto implements; the rest is planned only), and destroys on
 * demand. `env` gives each Terraform call its environment (it may wait for moto to start).
 */
export function planApplyDestroy(
  dir: string,
  env: () => Promise<NodeJS.ProcessEnv>,
  appliedTypes: readonly string[],
  validated: Promise<unknown>,
): PlanApplyDestroy {
  const plan = handled(
    validated.then(async () => {
      const awsEnv = await env();
      await terraformOk(["plan", "-input=false", "-no-color", "-out=tfplan"], dir, awsEnv);
      return JSON.parse(await terraformOk(["show", "-json", "tfplan"], dir, awsEnv))
        .resource_changes as PlannedChange[];
    }),
  );
  const applied = handled(
    plan.then(async (changes) => {
      const awsEnv = await env();
      const targets = changes
        .filter((c) => c.mode === "managed" && appliedTypes.includes(c.type))
        .map((c) => `-target=${c.address}`);
      await terraformOk(["apply", "-input=false", "-no-color", "-auto-approve", ...targets], dir, awsEnv);
      const state = JSON.parse(await terraformOk(["show", "-json"], dir, awsEnv));
      return state.values.root_module.resources as StateResource[];
    }),
  );
  let destroyed: Promise<string> | undefined;
  const destroy = () =>
    (destroyed ??= handled(
      applied
        .catch(() => undefined) // a partial apply still leaves resources to destroy
        .then(async () => {
          const awsEnv = await env();
          await terraformOk(["destroy", "-input=false", "-no-color", "-auto-approve"], dir, awsEnv);
          return (await terraformOk(["state", "list"], dir, awsEnv)).trim();
        }),
    ));
  return { plan, applied, destroy };
}

/** What the plan makes of each managed resource of `type` (its `after` values). */
export function managedAfter(changes: readonly PlannedChange[], type: string): Record<string, unknown>[] {
  return changes.filter((c) => c.type === type && c.mode === "managed").map((c) => c.change.after);
}

// What `npm run review` is given, read and checked: the cdktf manifest and its stacks, and saved plans.
// Every problem is a ReviewInputError whose message is one line naming the file.
import { readFileSync } from "fs";
import { getSystemErrorMap } from "util";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { changesFromPlan, PlannedChange, ResourceChange } from "./changes";
import { awsProvidersOf, ProviderPosture, StackJson, whereProviderPoints } from "./posture";

/** A problem with the command's input: the user's to fix, reported in one line, never with a stack trace. */
export class ReviewInputError extends Error {}

/** `no such file or directory (ENOENT)`: the OS's reason for a failed file operation, without the path Node repeats. */
export function osReason(error: unknown): string {
  const { errno, code, message } = error as NodeJS.ErrnoException;
  const known = errno === undefined ? undefined : getSystemErrorMap().get(errno);
  return known ? `${known[1]} (${known[0]})` : code ? `${message} (${code})` : String(message ?? error);
}

/** The parsed JSON of `file` (its absolute path), named `shown` in messages. */
export function readJson(file: string, shown: string): unknown {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ReviewInputError(`${shown}: cannot read: ${osReason(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReviewInputError(`${shown}: not JSON: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A stack of `cdktf.out/manifest.json`: where cdktf wrote it, relative to the output folder. */
export interface ManifestStack {
  readonly synthesizedStackPath: string;
}

/** The stacks `cdktf synth` wrote (manifest.json's `stacks`), by name: only these are reviewed. */
export function manifestStacks(manifest: unknown, shown: string): Map<string, ManifestStack> {
  const stacks = isObject(manifest) ? manifest.stacks : undefined;
  if (!isObject(stacks)) throw new ReviewInputError(`${shown}: not a cdktf manifest: no "stacks" object`);
  const entries = Object.entries(stacks);
  for (const [name, stack] of entries) {
    if (!isObject(stack) || typeof stack.synthesizedStackPath !== "string")
      throw new ReviewInputError(`${shown}: not a cdktf manifest: stack ${name} has no synthesizedStackPath`);
  }
  return new Map(entries.sort(([a], [b]) => a.localeCompare(b)) as [string, ManifestStack][]);
}

/** `terraform show -json <planfile>` output, as far as the review reads it. */
export interface TerraformPlan {
  readonly format_version: string;
  readonly resource_changes?: readonly PlannedChange[];
  readonly configuration?: {
    readonly provider_config?: Readonly<
      Record<
        string,
        {
          readonly name?: string;
          readonly module_address?: string;
          readonly expressions?: Readonly<Record<string, { readonly constant_value?: unknown }>>;
        }
      >
    >;
  };
}

// Terraform's JSON plan format is 1.x; a major version change may move what the review reads.
const PLAN_FORMAT_VERSION = /^1\.\d+$/;

/** Why `json` is not `terraform show -json <planfile>` output, or undefined when it is. */
function notAPlan(json: unknown): string | undefined {
  if (!isObject(json)) return "not a JSON object";
  if (typeof json.format_version !== "string") return "no format_version";
  if (!PLAN_FORMAT_VERSION.test(json.format_version)) return `format_version ${json.format_version}, expected 1.x`;
  if (!isObject(json.planned_values)) return "no planned_values (a state, not a plan?)";
  // Terraform leaves resource_changes out when nothing changes.
  if (json.resource_changes === undefined) return undefined;
  if (!Array.isArray(json.resource_changes)) return "resource_changes is not a list";
  const bad = json.resource_changes.findIndex(
    (change) =>
      !isObject(change) ||
      typeof change.address !== "string" ||
      typeof change.type !== "string" ||
      !isObject(change.change) ||
      !Array.isArray(change.change.actions),
  );
  return bad === -1 ? undefined : `resource_changes[${bad}] has no address, type or change.actions`;
}

/** The plan in `json` (named `shown` in messages), checked to be `terraform show -json` output. */
function terraformPlan(json: unknown, shown: string): TerraformPlan {
  const problem = notAPlan(json);
  if (problem) throw new ReviewInputError(`${shown}: not \`terraform show -json <planfile>\` output: ${problem}`);
  return json as TerraformPlan;
}

/** The root module's AWS providers a plan was made with, keyed as Terraform keys them: `aws`, `aws.<alias>`. */
export function planProviders(plan: TerraformPlan): ProviderPosture[] {
  return Object.entries(plan.configuration?.provider_config ?? {})
    .filter(([, provider]) => provider.name === AwsProvider.tfResourceType && !provider.module_address)
    .map(([address, provider]) => {
      const region = provider.expressions?.region?.constant_value;
      const accounts = provider.expressions?.allowed_account_ids?.constant_value;
      return {
        address,
        region: typeof region === "string" ? region : undefined,
        accounts: Array.isArray(accounts) ? accounts.map(String) : [],
      };
    });
}

// allowed_account_ids is a set: its order means nothing.
const sameTarget = (a: ProviderPosture, b: ProviderPosture) =>
  a.region === b.region && JSON.stringify([...a.accounts].sort()) === JSON.stringify([...b.accounts].sort());

/**
 * Refuses a plan made for another environment: each AWS provider (by address) must point at the
 * region and accounts the stack's synthesized provider does.
 */
function checkPlanIsFor(plan: TerraformPlan, stack: StackJson, env: string, shown: string): void {
  const planned = new Map(planProviders(plan).map((p) => [p.address, p]));
  if (planned.size === 0)
    throw new ReviewInputError(
      `${shown}: no AWS provider in configuration.provider_config: cannot tell which environment it was planned for`,
    );
  const synthesized = new Map(awsProvidersOf(stack).map((p) => [p.address, p]));
  const where = (provider: ProviderPosture | undefined) => (provider ? whereProviderPoints(provider) : "absent");
  for (const address of new Set([...synthesized.keys(), ...planned.keys()])) {
    const inPlan = planned.get(address);
    const inStack = synthesized.get(address);
    if (!inPlan || !inStack || !sameTarget(inPlan, inStack))
      throw new ReviewInputError(
        `${shown}: planned for another environment: provider ${address} is ${where(inPlan)} in the plan but ${where(inStack)} in stack ${env}`,
      );
  }
}

/**
 * The changes of stack `env` in `json` (named `shown` in messages): refused unless it is
 * `terraform show -json <planfile>` output planned for that stack's accounts and regions.
 */
export function plannedChanges(json: unknown, stack: StackJson, env: string, shown: string): ResourceChange[] {
  const plan = terraformPlan(json, shown);
  checkPlanIsFor(plan, stack, env, shown);
  return changesFromPlan(plan);
}

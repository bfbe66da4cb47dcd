// The review of a wave's saved plans (scripts/wave-deploy.ts plan): `npm run review`'s (review/) over the
// wave's synthesized stacks, each with the changes of its saved plan. The full review goes to review.md;
// plan.md, which the workflow puts into the run's summary for the wave's required reviewers, gets the
// review's warnings (the vaults, plans, selections and roles a plan replaces or destroys) above its table.
import { CRITICAL_TYPES, ResourceChange } from "../review/changes";
import { reviewStacks } from "../review/cli";
import { plannedChanges, ReviewInputError } from "../review/inputs";
import type { StackJson } from "../review/posture";
import { attentionItems, renderReview } from "../review/report";

/**
 * At most this many warnings in plan.md: GitHub cuts a step summary at 1 MiB, and a wave of hundreds of
 * stacks can replace something in each; review.md has them all.
 */
export const MAX_SUMMARY_WARNINGS = 100;

/**
 * The changes of `stack`'s saved plan from the output of `terraform show -json` (`json`), named `shown`
 * in messages; a ReviewInputError when it is not a plan, or a plan made for other accounts or regions.
 */
export function savedPlanChanges(json: string, name: string, stack: StackJson, shown: string): ResourceChange[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ReviewInputError(`${shown}: not JSON: ${(error as Error).message}`);
  }
  return plannedChanges(parsed, stack, name, shown);
}

export interface WaveReview {
  /** The full review, as `npm run review` writes it. */
  readonly markdown: string;
  /** The review's warnings, one Markdown list item each, in the stacks' order. */
  readonly warnings: readonly string[];
}

/**
 * The review of the wave's `stacks` (by name): with its saved plan's changes for each stack in `planned`
 * (a stack planned without changes has none), its posture only for a stack that is not.
 */
export function reviewWave(
  stacks: ReadonlyMap<string, StackJson>,
  planned: ReadonlyMap<string, readonly ResourceChange[]>,
  today: Date,
): WaveReview {
  const { environments } = reviewStacks(stacks, planned);
  return { markdown: renderReview(environments, today), warnings: environments.flatMap(attentionItems) };
}

/**
 * plan.md's section on what the wave's plans replace or destroy: the stacks whose plan could not be
 * reviewed (`unreviewed`: why, by stack), then the review's warnings, at most MAX_SUMMARY_WARNINGS lines in
 * all; else a line saying that no saved plan replaces or destroys any of the types the review watches.
 */
export function reviewSection(
  warnings: readonly string[],
  unreviewed: ReadonlyMap<string, string>,
  reviewFile: string,
): string[] {
  const items = [
    ...[...unreviewed].map(
      ([name, why]) => `- ❌ **${name}**: not reviewed, so what its plan replaces or destroys is unknown: ${why}`,
    ),
    ...warnings,
  ];
  const cut = items.length - MAX_SUMMARY_WARNINGS;
  const listed =
    items.length === 0
      ? [
          `Nothing: no saved plan of the wave replaces or destroys a resource of the types the review watches (${CRITICAL_TYPES.map((t) => `\`${t}\``).join(", ")}).`,
        ]
      : [
          ...items.slice(0, MAX_SUMMARY_WARNINGS),
          ...(cut > 0 ? [`- ... and ${cut} more: see the top of ${reviewFile}`] : []),
        ];
  return [
    "#### Replaced or destroyed",
    "",
    ...listed,
    "",
    `The full review (posture, changes, retention of every stack): ${reviewFile}, in the wave's sealed bundle.`,
    "",
  ];
}

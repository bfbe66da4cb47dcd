import { tagKeyProblem, tagValueProblem } from "./tags";
import { Problems } from "./validation";

/**
 * The tag that puts an instance under VSS backup. Declared once and handed to both the backup
 * selection and the package association, so the two sides can never select different instances.
 */
export interface SelectionTag {
  /** Tag key, 1-128 characters, not starting with "aws:". */
  readonly key: string;
  /** Tag value, 1-256 characters (an empty value would select every instance that has the key). */
  readonly value: string;
}

/** `Backup = windows-vss`. */
export const DEFAULT_SELECTION_TAG: SelectionTag = { key: "Backup", value: "windows-vss" };

export function selectionTagProblems(tag: SelectionTag): Problems {
  const problems = new Problems();
  const keyProblem = tagKeyProblem(tag.key);
  if (keyProblem) problems.add("key", keyProblem);
  if (tag.value.trim() === "") {
    problems.add(
      "value",
      `${JSON.stringify(tag.value)} is empty, allowed: 1-256 characters (an empty value selects every instance with the key)`,
    );
  } else {
    const valueProblem = tagValueProblem(tag.value);
    if (valueProblem) problems.add("value", valueProblem);
  }
  return problems;
}

/** `Key=Value`, the form people type in the console and the CLI. */
export function describeTag(tag: SelectionTag): string {
  return `${tag.key}=${tag.value}`;
}

/** How a backup selection's condition names a resource tag: `aws:ResourceTag/<key>`. */
export const RESOURCE_TAG_CONDITION_PREFIX = "aws:ResourceTag/";

/** The selection condition (`string_equals`) that selects resources carrying `tag`. */
export function tagCondition(tag: SelectionTag): { readonly key: string; readonly value: string } {
  return { key: `${RESOURCE_TAG_CONDITION_PREFIX}${tag.key}`, value: tag.value };
}

/** The tag a selection condition selects, or undefined when the condition is not on a resource tag. */
export function tagOfCondition(condition: { readonly key: string; readonly value: string }): SelectionTag | undefined {
  if (!condition.key.startsWith(RESOURCE_TAG_CONDITION_PREFIX)) return undefined;
  return { key: condition.key.slice(RESOURCE_TAG_CONDITION_PREFIX.length), value: condition.value };
}

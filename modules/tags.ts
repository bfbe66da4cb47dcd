/**
 * AWS's tag rules, shared by every resource the stacks tag (IAM, AWS Backup, Systems Manager) and by
 * the tags AWS Backup puts on recovery points: the strictest common form.
 */
import { Problems } from "./validation";

/** At most 50 user tags per resource, the tags the project adds itself included. */
export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
// What IAM, AWS Backup and Systems Manager all accept: letters, digits, spaces and _ . : / = + - @
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const CHARACTERS = "letters, digits, spaces and _ . : / = + - @";

/** Why `key` is not a tag key, or undefined. */
export function tagKeyProblem(key: string): string | undefined {
  const allowed = `allowed: 1-${MAX_KEY_LENGTH} characters of ${CHARACTERS}, not starting with aws:`;
  if (key.trim() === "") return `${JSON.stringify(key)} is empty, ${allowed}`;
  if (key.length > MAX_KEY_LENGTH || !TAG_CHARACTERS.test(key))
    return `${JSON.stringify(key)} is not a tag key, ${allowed}`;
  if (key.toLowerCase().startsWith("aws:"))
    return `${JSON.stringify(key)} starts with "aws:", which AWS reserves; ${allowed}`;
  return undefined;
}

/** Why `value` is not a tag value, or undefined. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > MAX_VALUE_LENGTH || !TAG_CHARACTERS.test(value)) {
    return `${JSON.stringify(value)} is not a tag value, allowed: 0-${MAX_VALUE_LENGTH} characters of ${CHARACTERS}`;
  }
  return undefined;
}

export interface TagSetOptions {
  /** Tags the project itself adds to the same resources (they count towards the limit and cannot be overridden). @default none */
  readonly ownKeys?: readonly string[];
}

/**
 * Problems of a set of tags, each under `[<key>]`: the key and value rules, keys that differ only in
 * case (IAM treats them as one), keys the project sets itself, and the count.
 */
export function tagSetProblems(tags: Readonly<Record<string, string>>, options: TagSetOptions = {}): Problems {
  const problems = new Problems();
  const own = options.ownKeys ?? [];
  const seen = new Map<string, string>();
  const entries = Object.entries(tags);
  for (const [key, value] of entries) {
    const path = `[${JSON.stringify(key)}]`;
    const ownKey = own.find((k) => k.toLowerCase() === key.toLowerCase());
    const problem =
      tagKeyProblem(key) ??
      (ownKey ? `is set by the project itself (${ownKey}), allowed: any other key` : undefined) ??
      (seen.has(key.toLowerCase())
        ? `duplicates ${JSON.stringify(seen.get(key.toLowerCase()))} (IAM tag keys ignore case), allowed: one of them`
        : undefined) ??
      tagValueProblem(value);
    if (problem) problems.add(path, problem);
    seen.set(key.toLowerCase(), key);
  }
  const total = entries.length + own.length;
  if (total > MAX_TAGS_PER_RESOURCE) {
    const ownNote = own.length > 0 ? ` (${entries.length} plus the project's own ${own.join(", ")})` : "";
    problems.add("", `${total} tags per resource${ownNote}, allowed: at most ${MAX_TAGS_PER_RESOURCE}`);
  }
  return problems;
}

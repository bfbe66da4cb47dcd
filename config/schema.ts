/**
 * The configuration's shape, checked at synth before anything else: every object is strict, so a
 * misspelt setting (`vault: { nmae: "x" }`, `kmsKeyArm`) is an error instead of a silently ignored
 * key. Only types live here; what AWS allows of each value is checked by the modules, in the
 * project's own words.
 */
import { z } from "zod";
import type { Problem } from "../modules";

const text = z.string();
const wholeNumber = z.number().int();
const tags = z.record(z.string(), z.string());
const selectionTag = z.strictObject({ key: text, value: text });

const retention = { deleteAfterDays: wholeNumber, coldStorageAfterDays: wholeNumber.optional() };
const rule = z.strictObject({
  ...retention,
  name: text,
  schedule: text,
  timezone: text.optional(),
  startWindowMinutes: wholeNumber.optional(),
  completionWindowMinutes: wholeNumber.optional(),
  copies: z.array(z.strictObject({ ...retention, destinationVaultArn: text })).optional(),
  recoveryPointTags: tags.optional(),
});

const policyMode = { policyMode: text.optional() };
const instanceRole = z.union([
  z.strictObject({
    ...policyMode,
    roleName: text.optional(),
    instanceProfileName: text.optional(),
    permissionsBoundaryArn: text.optional(),
  }),
  z.strictObject({
    ...policyMode,
    existingRoleName: text,
    grantVssPermissions: z.boolean().optional(),
    instanceProfileName: text.optional(),
  }),
]);

const backupServiceRole = z.union([
  z.strictObject({ roleName: text.optional(), permissionsBoundaryArn: text.optional() }),
  z.strictObject({ existingRoleArn: text }),
]);

// The backend's type is checked with its fields (backendProblems), after the override variables apply.
const backend = z.union([
  z.strictObject({ type: text }),
  z.strictObject({
    type: text,
    organization: text,
    workspacePrefix: text.optional(),
    project: text.optional(),
    hostname: text.optional(),
  }),
  z.strictObject({
    type: text,
    bucket: text,
    region: text,
    keyPrefix: text.optional(),
    kmsKeyId: text.optional(),
  }),
]);

const association = z.strictObject({
  name: text.optional(),
  installationType: text.optional(),
  version: text.optional(),
  scheduleExpression: text.optional(),
  maxConcurrency: text.optional(),
  maxErrors: text.optional(),
  complianceSeverity: text.optional(),
  outputLocation: z
    .strictObject({ s3BucketName: text, s3KeyPrefix: text.optional(), s3Region: text.optional() })
    .optional(),
});

const alerts = z.union([
  z.literal(false),
  z.strictObject({
    topicName: text.optional(),
    keyAlias: text.optional(),
    emails: z.array(text).optional(),
    ruleName: text.optional(),
  }),
  z.strictObject({ existingTopicArn: text, ruleName: text.optional() }),
]);

// One shape for both modes: which fields each mode needs is judged with the values (one line each).
const lock = z.union([
  z.literal(false),
  z.strictObject({
    mode: z.enum(["governance", "compliance"]).optional(),
    changeableForDays: wholeNumber.optional(),
    minRetentionDays: wholeNumber.optional(),
    maxRetentionDays: wholeNumber.optional(),
  }),
]);

const restoreTesting = z.strictObject({
  schedule: text,
  timezone: text.optional(),
  subnetId: text,
  securityGroupIds: z.array(text),
  instanceType: text.optional(),
  startWindowHours: wholeNumber.optional(),
  selectionWindowDays: wholeNumber.optional(),
  validationWindowHours: wholeNumber.optional(),
  planName: text.optional(),
  selectionName: text.optional(),
});

const audit = z.strictObject({
  frameworkName: text.optional(),
  requiredFrequency: z.strictObject({ unit: text, value: wholeNumber }).optional(),
  requiredRetentionDays: wholeNumber.optional(),
  report: z
    .strictObject({
      bucketName: text,
      keyPrefix: text.optional(),
      formats: z.array(text).optional(),
      template: text.optional(),
      name: text.optional(),
    })
    .optional(),
});

/** One environment's settings: organization mode's templates are these without name, account, region and backend. */
export const environmentSchema = z.strictObject({
  name: text,
  account: text,
  region: text,
  selectionTag: selectionTag.optional(),
  tags: tags.optional(),
  instanceRole: instanceRole.optional(),
  vault: z
    .strictObject({
      name: text.optional(),
      kmsKeyArn: text.optional(),
      preventDestroy: z.boolean().optional(),
      createKey: z.boolean().optional(),
      keyAlias: text.optional(),
      lock: lock.optional(),
      deletionGuard: z.strictObject({ exemptRoleArns: z.array(text) }).optional(),
    })
    .optional(),
  disasterRecovery: z
    .strictObject({
      region: text,
      keepDays: wholeNumber.optional(),
      vaultName: text.optional(),
      keyAlias: text.optional(),
      lock: lock.optional(),
    })
    .optional(),
  plan: z.strictObject({ name: text.optional(), rules: z.array(rule) }),
  selection: z.strictObject({ name: text.optional() }).optional(),
  backupServiceRole: backupServiceRole.optional(),
  backend: backend.optional(),
  association: association.optional(),
  alerts: alerts.optional(),
  restoreTesting: restoreTesting.optional(),
  audit: audit.optional(),
});

/** A backend's settings (an environment's, the organization's management and member stacks'). */
export const backendSchema = backend;

export const projectSchema = z.strictObject({ project: text, environments: z.array(environmentSchema) });

/** How an unknown key's problem starts: the values around it are still of the right types. */
export const UNKNOWN_SETTING = "is not a setting here";

/**
 * The shape's problems, one per wrong value or unknown key, each under the path people write it
 * with (`dev.vault.nmae`): environments are named by their name where they have one.
 */
export function shapeProblems(input: unknown): Problem[] {
  return shapeProblemsOf(projectSchema, input, { environments: environmentLabel });
}

/**
 * How a path names an item of a list at the input's top level (`environments.0` → `dev`,
 * `templates.1` → `templates[prod]`): by the item and its index.
 */
export type ItemLabels = Readonly<Record<string, (item: unknown, index: number) => string>>;

/** The problems of `input` against a schema of strict objects, as shapeProblems words them. */
export function shapeProblemsOf(schema: Schema, input: unknown, labels: ItemLabels = {}): Problem[] {
  const result = z.safeParse(schema, input, { reportInput: true });
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => describe(issue, input, schema, labels));
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

function describe(issue: Issue, root: unknown, rootSchema: Schema, labels: ItemLabels): Problem[] {
  const path = issue.path as (string | number)[];
  if (issue.code === "invalid_union") {
    // Each branch's issues: report those of the branch the input means (its required keys are all there), else the closest.
    const input = valueAt(root, path);
    const union = unwrap(schemaAt(rootSchema, path, root)) as { _zod: { def: { options: Schema[] } } } | undefined;
    const options = union?._zod.def.options ?? [];
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      // A branch that is a literal (alerts: false) is one of the things allowed.
      const literals = options.flatMap((o) => (defOf(o) as { values?: unknown[] } | undefined)?.values ?? []);
      const allowed = [...literals.map((v) => JSON.stringify(v)), "an object of settings"].join(" or ");
      return [{ path: pathOf(root, path, labels), message: `${shown(input)} is not an object, allowed: ${allowed}` }];
    }
    const best = issue.errors[options.indexOf(chooseOption(options, input, issue.errors)!)] ?? issue.errors[0];
    return best.flatMap((inner) =>
      describe({ ...inner, path: [...path, ...inner.path] } as Issue, root, rootSchema, labels),
    );
  }
  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(shapeOf(schemaAt(rootSchema, path, root), valueAt(root, path)) ?? {});
    return issue.keys.map((key) => ({
      path: pathOf(root, [...path, key], labels),
      message: `${UNKNOWN_SETTING}, allowed: ${known.join(", ")}`,
    }));
  }
  if (issue.code === "invalid_type") {
    const found = valueAt(root, path);
    const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
    const message = found === undefined ? `is missing, allowed: ${expected}` : `${shown(found)} is not ${expected}`;
    return [
      { path: pathOf(root, path, labels), message: found === undefined ? message : `${message}, allowed: ${expected}` },
    ];
  }
  if (issue.code === "invalid_value") {
    // zod's own message names the choices but not the value given.
    const allowed = issue.values.map((v) => JSON.stringify(v)).join(" or ");
    return [
      {
        path: pathOf(root, path, labels),
        message: `${shown(valueAt(root, path))} is not allowed, allowed: ${allowed}`,
      },
    ];
  }
  return [{ path: pathOf(root, path, labels), message: issue.message }];
}

/** What each expected type is called in a message. */
const EXPECTED: Record<string, string> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object of settings",
  array: "a list",
  record: "an object of strings",
};

const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

/** How problems name an environment: by its name, or by its place where it has none. */
export function environmentLabel(env: unknown, index: number): string {
  const name = (env as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : `environments[${index}]`;
}

/** `environments.0.vault` → `dev.vault` (by `labels`); array indexes elsewhere as `rules[0]`. */
function pathOf(root: unknown, path: readonly (string | number)[], labels: ItemLabels): string {
  let text = "";
  const head = path[0];
  const label = typeof head === "string" && path.length > 1 && Object.hasOwn(labels, head) ? labels[head] : undefined;
  path.forEach((part, i) => {
    if (label && i === 1) {
      text = label(valueAt(root, [path[0], part]), Number(part));
    } else if (label && i === 0) {
      return;
    } else if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? part : `.${part}`;
  });
  return text;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((value, part) => (value as Record<string | number, unknown> | undefined)?.[part], root);
}

type Def = {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
};
const defOf = (schema: Schema | undefined) => (schema as unknown as { _zod: { def: Def } } | undefined)?._zod.def;

/** The schema at `path`, through optional, array, record and (by the input's keys) union layers. */
function schemaAt(schema: Schema, path: readonly (string | number)[], root: unknown): Schema | undefined {
  let current: Schema | undefined = schema;
  path.forEach((part, i) => {
    current = unwrap(current);
    const def = defOf(current);
    if (def?.type === "union")
      current = def.options?.find((o) => requiredKeysPresent(o, valueAt(root, path.slice(0, i))));
    const next = defOf(unwrap(current));
    if (next?.type === "object") current = next.shape?.[part];
    else if (next?.type === "array") current = next.element;
    else if (next?.type === "record") current = next.valueType;
    else current = undefined;
  });
  return current;
}

function unwrap(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  while (defOf(current)?.innerType) current = defOf(current)!.innerType;
  return current;
}

/** The keys an object schema knows; for a union, those of the branch the input means. */
function shapeOf(schema: Schema | undefined, input: unknown): Record<string, Schema> | undefined {
  const def = defOf(unwrap(schema));
  if (def?.type === "object") return def.shape;
  if (def?.type === "union") return shapeOf(chooseOption(def.options ?? [], input), input);
  return undefined;
}

/**
 * The union branch the input means: of those whose required keys it has, the most specific (most
 * required keys), then the one with the fewest problems.
 */
function chooseOption(options: readonly Schema[], input: unknown, errors?: readonly unknown[][]): Schema | undefined {
  const required = (o: Schema) =>
    Object.values(defOf(unwrap(o))?.shape ?? {}).filter((v) => defOf(v)?.type !== "optional").length;
  const ranked = options
    .map((option, i) => ({
      option,
      fits: requiredKeysPresent(option, input),
      required: required(option),
      errors: errors?.[i]?.length ?? 0,
    }))
    .sort((a, b) => Number(b.fits) - Number(a.fits) || b.required - a.required || a.errors - b.errors);
  return ranked[0]?.option;
}

function requiredKeysPresent(option: Schema | undefined, input: unknown): boolean {
  // Only an object branch can mean an object (alerts: false | {...} | {...}).
  if (defOf(unwrap(option))?.type !== "object") return false;
  const shape = defOf(unwrap(option))?.shape ?? {};
  if (input === null || typeof input !== "object") return false;
  return Object.entries(shape).every(([key, value]) => defOf(value)?.type === "optional" || key in input);
}

/**
 * The shapes of organization mode's configuration and of the accounts file, checked before anything
 * else as config/schema.ts checks environments: every object is strict, so a misspelt setting is an
 * error. Only types live here; what each value may be is judged in config/organization-load.ts.
 */
import { z } from "zod";
import { Problem, under } from "../modules";
import { backendSchema, environmentSchema, shapeProblemsOf } from "./schema";

const text = z.string();

/** An environment's settings without what the accounts file and `regions` supply, plus where they apply. */
const templateSchema = environmentSchema.omit({ name: true, account: true, region: true, backend: true }).extend({
  name: text,
  ous: z.array(text).optional(),
  accounts: z.array(text).optional(),
  regions: z.array(text),
  wave: text,
  planSource: text.optional(),
});

export const organizationSchema = z.strictObject({
  project: text,
  management: z.strictObject({
    account: text,
    region: text,
    backend: backendSchema.optional(),
    alertEmails: z.array(text).optional(),
  }),
  memberRoles: z.strictObject({ deployRoleName: text, planRoleName: text, preflightRoleName: text }),
  memberBackend: backendSchema.optional(),
  waves: z.array(text),
  templates: z.array(templateSchema),
});

export const accountsFileSchema = z.strictObject({
  organizationId: text,
  managementAccountId: text,
  organizationalUnits: z.array(z.strictObject({ id: text, path: text })),
  accounts: z.array(z.strictObject({ id: text, name: text, ouPath: text, status: text })),
});

/** How problems name a template: `templates[prod]`, or by its place where it has no name. */
export function templateLabel(template: unknown, index: number): string {
  const name = (template as { name?: unknown } | undefined)?.name;
  return `templates[${typeof name === "string" && name !== "" ? name : index}]`;
}

/** Where the accounts file's problems are reported: it is data written by a sync, not the configuration. */
export const ACCOUNTS_FILE_LABEL = "accountsFile";

/** The configuration's shape problems (`templates[prod].vault.nmae`). */
export function organizationShapeProblems(input: unknown): Problem[] {
  return shapeProblemsOf(organizationSchema, input, { templates: templateLabel });
}

/** The accounts file's shape problems (`accountsFile.accounts[3].status`). */
export function accountsFileShapeProblems(input: unknown): Problem[] {
  return under(ACCOUNTS_FILE_LABEL, shapeProblemsOf(accountsFileSchema, input));
}

import { runSimulation } from "@cloud-copilot/iam-simulate";

/** A statement as an aws_iam_policy_document data source holds it (synthesized JSON). */
interface DocumentStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/**
 * The IAM JSON Terraform renders from a policy document data source, with each `${...}` reference
 * replaced by the value `values` gives it (the ARNs AWS would assign).
 */
export function iamPolicyOf(document: Record<string, unknown>, values: Record<string, string> = {}): object {
  const resolve = (text: string) =>
    text.replace(/\$\{([^}]+)\}/g, (whole, ref: string) => {
      if (!(ref in values)) throw new Error(`no value given for ${whole}`);
      return values[ref];
    });
  return {
    Version: "2012-10-17",
    Statement: (document.statement as DocumentStatement[]).map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? "Allow",
      Action: s.actions!.map(resolve),
      Resource: s.resources!.map(resolve),
      ...(s.principals
        ? {
            Principal: Object.fromEntries(
              s.principals.map((p) => [p.type === "*" ? "AWS" : p.type, p.identifiers.map(resolve)]),
            ),
          }
        : {}),
      ...(s.condition
        ? {
            Condition: s.condition.reduce<Record<string, Record<string, string[]>>>((all, c) => {
              all[c.test] = { ...all[c.test], [c.variable]: c.values.map(resolve) };
              return all;
            }, {}),
          }
        : {}),
    })),
  };
}

export interface Request {
  /** A principal ARN (an IAM role) or a service principal ("events.amazonaws.com"). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly context?: Record<string, string>;
  /** The principal's own identity policy (for an IAM role); services have none. */
  readonly identityPolicy?: object;
}

/** The IAM policy simulator's verdict: "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied". */
export async function simulate(resourcePolicy: object, request: Request): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.account },
        contextVariables: request.context ?? {},
      },
      identityPolicies: request.identityPolicy ? [{ name: "identity", policy: request.identityPolicy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  if (result.resultType !== "single") throw new Error(`simulation failed: ${JSON.stringify(result)}`);
  return result.overallResult;
}

/** An administrator's identity policy: every action on everything (what a compromised admin holds). */
export const ADMINISTRATOR = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

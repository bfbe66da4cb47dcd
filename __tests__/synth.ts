import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";

/** A synthesized stack, parsed: what Terraform will read. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform?: Record<string, unknown>;
}

/** Synthesizes whatever `build` adds to a fresh stack. */
export function synthesize(build: (scope: Construct) => void): SynthesizedStack {
  return JSON.parse(Testing.synthScope((scope) => build(scope)));
}

export function synthesizeStack(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack));
}

/** A provider class (its static `tfResourceType` names the Terraform type), or the type name itself. */
export type ResourceType = string | { readonly tfResourceType: string };
const typeName = (type: ResourceType) => (typeof type === "string" ? type : type.tfResourceType);

/** Every resource of one type, in synthesis order. */
export function resources(stack: SynthesizedStack, type: ResourceType): Record<string, unknown>[] {
  return Object.values(stack.resource?.[typeName(type)] ?? {}).map(withoutMetadata);
}

/** The only resource of one type; fails when there are none or several. */
export function theResource(stack: SynthesizedStack, type: ResourceType): Record<string, unknown> {
  const found = resources(stack, type);
  if (found.length !== 1) throw new Error(`expected one ${typeName(type)}, found ${found.length}`);
  return found[0];
}

export function dataSources(stack: SynthesizedStack, type: ResourceType): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(stack.data?.[typeName(type)] ?? {}).map(([id, body]) => [id, withoutMetadata(body)]),
  );
}

/** The policy document data source a `${data.aws_iam_policy_document.X.json}` reference points to. */
export function referencedPolicyDocument(stack: SynthesizedStack, reference: unknown): Record<string, unknown> {
  const match = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(reference));
  if (!match) throw new Error(`not a policy document reference: ${String(reference)}`);
  const document = dataSources(stack, "aws_iam_policy_document")[match[1]];
  if (!document) throw new Error(`no policy document ${match[1]}`);
  return document;
}

/** `${aws_iam_role.X.name}` → the resource address `aws_iam_role.X`. */
export function addressOf(reference: unknown): string {
  const match = /^\$\{([a-z0-9_]+\.[^.]+)\.[a-z_]+\}$/.exec(String(reference));
  if (!match) throw new Error(`not a reference: ${String(reference)}`);
  return match[1];
}

export function addressesOf(stack: SynthesizedStack, type: ResourceType): string[] {
  return Object.keys(stack.resource?.[typeName(type)] ?? {}).map((id) => `${typeName(type)}.${id}`);
}

function withoutMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  delete copy["//"];
  return copy;
}

// A mocked AWS Organizations for the accounts sync: the four calls the sync makes, answered as AWS
// does (pages of `pageSize` with a NextToken that is only good for the listing it came from, the
// parent asked for, errors by name); any other command, parameter or token is refused.
import {
  Account,
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import type { OrganizationClients } from "../../organization/aws";

export interface MockOrganizationSpec {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  /** In the order AWS lists them; `parentId` is the root's ID or another OU's. @default none */
  readonly ous?: readonly { readonly id: string; readonly name: string; readonly parentId: string }[];
  /** As AWS lists them (State, Status, or both), in the OU or root `parentId`. @default none */
  readonly accounts?: readonly (Account & { readonly parentId: string })[];
  /** Items per page of every listing. @default 20 */
  readonly pageSize?: number;
  /** Calls (by operation name) the caller may not make: AccessDeniedException, as for a member account's credentials. */
  readonly denied?: readonly string[];
  /** The credentials' account is in no organization: every call answers AWSOrganizationsNotInUseException. */
  readonly notInUse?: boolean;
  /** Per operation, how many calls in a row answer 429 TooManyRequestsException. */
  readonly throttle?: Readonly<Record<string, number>>;
  /** Per operation, how many calls in a row answer 500 ServiceException. */
  readonly unavailable?: Readonly<Record<string, number>>;
  /** Operations that never answer (a silent network). */
  readonly silent?: readonly string[];
}

const awsError = (name: string, message: string, httpStatusCode = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

/** Mocks every OrganizationsClient; call `restore()` when done. */
export function mockOrganization(spec: MockOrganizationSpec) {
  const mock = mockClient(OrganizationsClient);
  mock.rejects(
    new Error("the mocked organizations does not answer this command: see __tests__/support/mock-organization.ts"),
  );
  const pageSize = spec.pageSize ?? 20;
  const throttled: Record<string, number> = { ...spec.throttle };
  const unavailable: Record<string, number> = { ...spec.unavailable };
  const parents = new Set([spec.rootId, ...(spec.ous ?? []).map((ou) => ou.id)]);
  /** Tokens handed out, each with the listing it continues and where. */
  const tokens = new Map<string, { listing: string; start: number }>();

  const answer =
    <I extends object, O>(operation: string, parameters: readonly string[], handler: (input: I) => O) =>
    (input: I): O | Promise<O> => {
      const unknown = Object.entries(input).filter(([key, value]) => value !== undefined && !parameters.includes(key));
      if (unknown.length > 0)
        throw new Error(`the mocked ${operation} does not honour ${unknown.map(([key]) => key).join(", ")}`);
      if (spec.silent?.includes(operation)) return new Promise<O>(() => undefined);
      if ((throttled[operation] ?? 0) > 0) {
        throttled[operation]--;
        throw awsError(
          "TooManyRequestsException",
          "You have sent too many requests in too short a period of time.",
          429,
        );
      }
      if ((unavailable[operation] ?? 0) > 0) {
        unavailable[operation]--;
        throw awsError(
          "ServiceException",
          "AWS Organizations can't complete your request because of an internal service error.",
          500,
        );
      }
      if (spec.notInUse)
        throw awsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
      if (spec.denied?.includes(operation))
        throw awsError("AccessDeniedException", "You don't have permissions to access this resource.");
      return handler(input);
    };

  /** One page of `items` for `listing` (the operation and its parent), from NextToken's position. */
  const page = <T>(listing: string, items: readonly T[], token: string | undefined) => {
    let start = 0;
    if (token !== undefined) {
      const issued = tokens.get(token);
      if (issued?.listing !== listing) throw awsError("InvalidInputException", "The provided NextToken is not valid.");
      start = issued.start;
    }
    const end = start + pageSize;
    let next: string | undefined;
    if (end < items.length) {
      next = `token-${tokens.size + 1}`;
      tokens.set(next, { listing, start: end });
    }
    return { items: items.slice(start, end), next };
  };
  const parentOf = (operation: string, parentId: string | undefined) => {
    if (parentId === undefined || !parents.has(parentId))
      throw awsError(
        "ParentNotFoundException",
        `We can't find a root or OU with the ParentId ${parentId} that you specified.`,
      );
    return `${operation} ${parentId}`;
  };

  mock.on(DescribeOrganizationCommand).callsFake(
    answer("DescribeOrganization", [], () => ({
      Organization: {
        Id: spec.organizationId,
        Arn: `arn:aws:organizations::${spec.managementAccountId}:organization/${spec.organizationId}`,
        FeatureSet: "ALL",
        MasterAccountId: spec.managementAccountId,
        MasterAccountEmail: "management@example.com",
      },
    })),
  );
  mock.on(ListRootsCommand).callsFake(
    answer("ListRoots", ["NextToken"], (input: { NextToken?: string }) => {
      const { items, next } = page("ListRoots", [{ Id: spec.rootId, Name: "Root" }], input.NextToken);
      return { Roots: items, NextToken: next };
    }),
  );
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake(
    answer(
      "ListOrganizationalUnitsForParent",
      ["ParentId", "NextToken"],
      (input: { ParentId?: string; NextToken?: string }) => {
        const listing = parentOf("ListOrganizationalUnitsForParent", input.ParentId);
        const children = (spec.ous ?? []).filter((ou) => ou.parentId === input.ParentId);
        const { items, next } = page(listing, children, input.NextToken);
        return { OrganizationalUnits: items.map((ou) => ({ Id: ou.id, Name: ou.name })), NextToken: next };
      },
    ),
  );
  mock.on(ListAccountsForParentCommand).callsFake(
    answer("ListAccountsForParent", ["ParentId", "NextToken"], (input: { ParentId?: string; NextToken?: string }) => {
      const listing = parentOf("ListAccountsForParent", input.ParentId);
      const members = (spec.accounts ?? []).filter((a) => a.parentId === input.ParentId);
      const { items, next } = page(listing, members, input.NextToken);
      return { Accounts: items.map(({ parentId: _parentId, ...account }) => account), NextToken: next };
    }),
  );

  const clients = (region: string): OrganizationClients => ({ organizations: new OrganizationsClient({ region }) });
  return { clients, mock, restore: () => mock.restore() };
}

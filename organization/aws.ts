import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { clientOptions, ClientOverrides } from "../preflight/aws";

/** The clients the accounts sync reads with, by service name (for AwsCaller). */
export interface OrganizationClients {
  readonly organizations: OrganizationsClient;
}

/**
 * Organizations has one endpoint per partition: in the commercial one every region resolves to
 * us-east-1's, so AWS_REGION only matters to pick another partition (GovCloud, China).
 */
export const DEFAULT_ORGANIZATIONS_REGION = "us-east-1";

/** The Organizations client, with preflight's timeouts and credential chain (see clientOptions). */
export function createOrganizationClients(region: string, overrides: ClientOverrides = {}): OrganizationClients {
  return { organizations: new OrganizationsClient(clientOptions(region, overrides)) };
}

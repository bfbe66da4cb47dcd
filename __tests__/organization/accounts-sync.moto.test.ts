// `npm run accounts -- sync` through organization/cli.ts main against moto's AWS Organizations, with
// the real SDK client: an organization of two nested OUs and three accounts (one closed), created
// first, since moto gives member accounts random IDs; then the file, byte for byte, and --check.
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createOrganizationClients } from "../../organization/aws";
import { main } from "../../organization/cli";
import { MotoServer, startMoto } from "../../scripts/terraform/moto";
import { motoClientOptions } from "../support/moto-fleet";
import { terraformTier } from "../terraform/tier";

const tier = terraformTier("accounts sync against moto", ["moto_server"]);
jest.setTimeout(120_000);

/** moto's account when MOTO_ACCOUNT_ID is not set: the organization's management account. */
const MANAGEMENT_ACCOUNT = "123456789012";

tier.describe("accounts sync against moto's AWS Organizations", () => {
  let moto: MotoServer;
  let dir: string;
  let org: { id: string; rootId: string; workloadsId: string; prodId: string };
  const members: Record<"orders" | "payments" | "retired", string> = { orders: "", payments: "", retired: "" };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "accounts-moto-"));
    moto = await startMoto(undefined);
    const organizations = new OrganizationsClient(motoClientOptions(moto.endpoint, "us-east-1"));
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    const rootId = (await organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
    const createOu = async (ParentId: string, Name: string) =>
      (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId, Name }))).OrganizationalUnit!.Id!;
    const workloadsId = await createOu(rootId, "Workloads");
    const prodId = await createOu(workloadsId, "Prod");
    org = { id: Organization!.Id!, rootId, workloadsId, prodId };
    const createAccount = async (AccountName: string, parent: string) => {
      const created = await organizations.send(
        new CreateAccountCommand({ AccountName, Email: `${AccountName}@example.com` }),
      );
      const id = created.CreateAccountStatus!.AccountId!;
      await organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parent }),
      );
      return id;
    };
    members.orders = await createAccount("orders-prod", prodId);
    members.payments = await createAccount("payments-prod", prodId);
    members.retired = await createAccount("retired", workloadsId);
    await organizations.send(new CloseAccountCommand({ AccountId: members.retired }));
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sync = async (...flags: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["sync", "--output", join(dir, "accounts.json"), ...flags], {
      clients: (region) => createOrganizationClients(region, motoClientOptions(moto.endpoint, region)),
      region: "us-east-1",
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  };

  it("writes the organization's OUs by path and its accounts by ID, the closed one SUSPENDED", async () => {
    const run = await sync();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const account = (id: string, name: string, ouPath: string, status: string) =>
      `    {\n      "id": "${id}",\n      "name": "${name}",\n      "ouPath": "${ouPath}",\n      "status": "${status}"\n    }`;
    const accounts = [
      [MANAGEMENT_ACCOUNT, account(MANAGEMENT_ACCOUNT, "master", "Root", "ACTIVE")],
      [members.orders, account(members.orders, "orders-prod", "Root/Workloads/Prod", "ACTIVE")],
      [members.payments, account(members.payments, "payments-prod", "Root/Workloads/Prod", "ACTIVE")],
      [members.retired, account(members.retired, "retired", "Root/Workloads", "SUSPENDED")],
    ]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, text]) => text);
    expect(readFileSync(join(dir, "accounts.json"), "utf8")).toBe(`{
  "organizationId": "${org.id}",
  "managementAccountId": "${MANAGEMENT_ACCOUNT}",
  "organizationalUnits": [
    {
      "id": "${org.rootId}",
      "path": "Root"
    },
    {
      "id": "${org.workloadsId}",
      "path": "Root/Workloads"
    },
    {
      "id": "${org.prodId}",
      "path": "Root/Workloads/Prod"
    }
  ],
  "accounts": [
${accounts.join(",\n")}
  ]
}
`);
  });

  it("finds the file it wrote up to date with --check", async () => {
    await sync();
    expect(await sync("--check")).toEqual({
      code: 0,
      stdout: `${join(dir, "accounts.json")} is up to date: 4 accounts (1 not ACTIVE) in 3 OUs of ${org.id}`,
      stderr: "",
    });
  });
});

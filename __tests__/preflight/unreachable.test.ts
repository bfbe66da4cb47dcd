// When AWS cannot be asked at all, preflight ends with exit 2 and one line naming the call and the
// cause, with its fix; it never hangs. Real SDK clients meet real sockets on the loopback interface.
import { once } from "events";
import { AddressInfo, createServer, Server, Socket } from "net";
import { BackupClient } from "@aws-sdk/client-backup";
import { createClients } from "../../preflight/aws";
import { main } from "../../preflight/cli";
import { NOW } from "../support/clock";
import { mockAccount, unmocked } from "../support/mock-fleet";
import { DEV, PROD, PROJECT } from "../support/preflight-fixtures";
import { closedPort } from "../support/closed-port";

const TEST_CREDENTIALS = { accessKeyId: "AKIDPREFLIGHTTEST", secretAccessKey: "not-a-secret" };

async function preflight(clients: Parameters<typeof main>[1]["clients"], ...flags: string[]) {
  return preflightOf("dev", clients, ...flags);
}

async function preflightOf(envName: string, clients: Parameters<typeof main>[1]["clients"], ...flags: string[]) {
  const err: string[] = [];
  const out: string[] = [];
  const started = process.hrtime.bigint();
  const code = await main(["--env", envName, ...flags], {
    config: PROJECT,
    now: NOW,
    clients,
    caller: { sleep: async () => undefined },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: false,
  });
  return {
    code,
    stdout: out.join("\n"),
    stderr: err.join("\n"),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

describe("when AWS cannot be asked", () => {
  it("names missing credentials, with how to sign in", async () => {
    const run = await preflight((region) =>
      createClients(region, {
        endpoint: "http://127.0.0.1:9",
        // What the SDK's default chain throws when no provider has credentials.
        credentials: async () => {
          throw Object.assign(new Error("Could not load credentials from any providers"), {
            name: "CredentialsProviderError",
          });
        },
      }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "preflight: sts GetCallerIdentity: no AWS credentials found (Could not load credentials from any providers); sign in (aws sso login, AWS_PROFILE, AWS_ACCESS_KEY_ID...) and run again",
    );
  });

  it("names an endpoint that refuses the connection", async () => {
    const port = await closedPort();
    const run = await preflight((region) =>
      createClients(region, { endpoint: `http://127.0.0.1:${port}`, credentials: TEST_CREDENTIALS }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `preflight: sts GetCallerIdentity: the endpoint 127.0.0.1:${port} refused the connection; check AWS_ENDPOINT_URL, the proxy and the region`,
    );
  });

  it("names an endpoint that cannot be resolved", async () => {
    // .invalid never resolves (RFC 2606).
    const run = await preflight((region) =>
      createClients(region, { endpoint: "http://sts.preflight.invalid", credentials: TEST_CREDENTIALS }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^preflight: sts GetCallerIdentity: the endpoint sts\.preflight\.invalid cannot be resolved \((ENOTFOUND|EAI_AGAIN)\); check DNS, the network and the region name$/,
    );
  });

  it("names the call AWS answered with 5xx on every attempt", async () => {
    const account = mockAccount(
      DEV,
      { account: DEV.account, instances: [], unavailable: { DescribeInstances: 6 } },
      NOW,
    );
    try {
      const run = await preflight(account.clients);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "preflight: ec2 DescribeInstances: AWS answered 503 (ServiceUnavailable: Service Unavailable) on every attempt; AWS is having trouble there: check the AWS Health Dashboard and run again later",
      );
    } finally {
      account.restore();
    }
  });

  it("ends at the deadline while a throttled call waits to be retried, naming it", async () => {
    const account = mockAccount(DEV, { account: DEV.account, instances: [], throttle: { DescribeInstances: 6 } }, NOW);
    const err: string[] = [];
    const started = process.hrtime.bigint();
    try {
      // The real backoff: 0.2 s, 0.4 s, 0.8 s... between attempts.
      const code = await main(["--env", "dev", "--deadline-seconds", "0.5"], {
        config: PROJECT,
        now: NOW,
        clients: account.clients,
        stdout: () => undefined,
        stderr: (t) => err.push(t),
      });
      expect(code).toBe(2);
      expect(err).toEqual([
        "preflight: no answer within 0.5 s from ec2 DescribeInstances; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds",
      ]);
      expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(1.5);
    } finally {
      account.restore();
    }
  });

  describe("the DR region (prod copies to eu-west-1), asked by clients of its own", () => {
    /** prod's account as the mocks hold it, but the DR region's AWS Backup is the one `backup` builds. */
    const withDrBackup = async (backup: (region: string) => BackupClient, ...flags: string[]) => {
      const account = mockAccount(PROD, { account: PROD.account, instances: [] }, NOW);
      try {
        return await preflightOf(
          "prod",
          (region) =>
            region === PROD.disasterRecovery!.region
              ? { ...account.clients(region), backup: backup(region) }
              : account.clients(region),
          ...flags,
        );
      } finally {
        account.restore();
      }
    };

    it("names the DR region's call when its endpoint refuses the connection", async () => {
      const port = await closedPort();
      const run = await withDrBackup((region) =>
        unmocked(createClients(region, { endpoint: `http://127.0.0.1:${port}`, credentials: TEST_CREDENTIALS }).backup),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `preflight: backup DescribeBackupVault in eu-west-1: the endpoint 127.0.0.1:${port} refused the connection; check AWS_ENDPOINT_URL, the proxy and the region`,
      );
    });

    it("ends at the deadline while the DR region does not answer, naming the call and its region", async () => {
      // A client that never answers, but stops when the run is cancelled.
      const silent = () =>
        ({
          send: (_: unknown, options: { abortSignal: AbortSignal }) =>
            new Promise((_resolve, reject) =>
              options.abortSignal.addEventListener("abort", () => reject(new Error("aborted"))),
            ),
        }) as unknown as BackupClient;
      const run = await withDrBackup(silent, "--deadline-seconds", "0.5");
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "preflight: no answer within 0.5 s from backup DescribeBackupVault in eu-west-1; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds",
      );
      expect(run.seconds).toBeLessThan(3);
    });
  });

  describe("an endpoint that accepts connections and never answers", () => {
    let server: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket)).listen(0, "127.0.0.1");
      await once(server, "listening");
    });
    afterAll(async () => {
      sockets.forEach((s) => s.destroy());
      server.close();
      await once(server, "close");
    });

    it("ends at the deadline, naming the call that did not answer", async () => {
      const { port } = server.address() as AddressInfo;
      const run = await preflight(
        (region) => createClients(region, { endpoint: `http://127.0.0.1:${port}`, credentials: TEST_CREDENTIALS }),
        "--deadline-seconds",
        "0.5",
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "preflight: no answer within 0.5 s from sts GetCallerIdentity; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds",
      );
      expect(sockets.length).toBeGreaterThan(0);
      expect(run.seconds).toBeLessThan(5);
    });

    it("gives up on a request that outlasts its timeout after every attempt, naming the call", async () => {
      const { port } = server.address() as AddressInfo;
      const connectionsBefore = sockets.length;
      const run = await preflight((region) =>
        createClients(region, {
          endpoint: `http://127.0.0.1:${port}`,
          credentials: TEST_CREDENTIALS,
          requestTimeoutMs: 50,
        }),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^preflight: sts GetCallerIdentity: no answer on any attempt \(TimeoutError: .*\); check the network path to AWS \(proxy, VPC endpoints, firewall\)$/,
      );
      // Six attempts, each on its own connection.
      expect(sockets.length - connectionsBefore).toBe(6);
    });
  });
});

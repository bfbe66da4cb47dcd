import { ChildProcess, spawn } from "child_process";
import { createServer } from "net";

export interface MotoServer {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL and SDK clients. */
  readonly endpoint: string;
  /** Environment for Terraform and SDKs: the endpoint and dummy credentials. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A port the OS just handed out on loopback: never a fixed one, so parallel runs cannot collide. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Starts moto_server on 127.0.0.1 as AWS account `account` (so the provider's allowed_account_ids
 * holds), with AWS managed policies loaded (attachments of AWS policies fail without them).
 * `account` undefined: moto's own default account, 123456789012, the only setting under which moto
 * implements AWS Organizations (accounts created in an organization, their OUs).
 * The caller must call stop(), in a finally.
 */
export async function startMoto(account: string | undefined, timeoutMs = 30_000): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    // spawn leaves out a variable set to undefined: no account, not even one this process inherited.
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACCOUNT_ID: account },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk) => (output = (output + chunk).slice(-4000)));
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "testing",
    },
    stop,
  };
}

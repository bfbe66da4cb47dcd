import { BackupClient } from "@aws-sdk/client-backup";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";

export interface Clients {
  readonly sts: STSClient;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly backup: BackupClient;
}
export type Service = keyof Clients;

/** SDK clients for one region, with the standard credential chain (env, profile, SSO, instance role...). */
export function createClients(region: string): Clients {
  // Throttling and transient errors are retried by `AwsCaller` (counted, with backoff), not a second time inside the SDK.
  const options = { region, maxAttempts: 1 };
  return {
    sts: new STSClient(options),
    ec2: new EC2Client(options),
    iam: new IAMClient(options),
    ssm: new SSMClient(options),
    backup: new BackupClient(options),
  };
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);

const NETWORK_ERRORS = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
]);

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 429;
}

/** Worth another attempt: throttling, an AWS server error (5xx), or a dropped or timed-out connection. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    isThrottling(error) ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    NETWORK_ERRORS.has(e?.code ?? "") ||
    NETWORK_ERRORS.has(e?.name ?? "")
  );
}

/** The caller lacks an IAM permission: the check could not be made, which says nothing about the fleet. */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED.has((error as { name?: string })?.name ?? "");
}

export interface CallerOptions {
  /** Attempts per call, retried ones included. @default 6 */
  readonly maxAttempts?: number;
  /** First backoff; doubles each retry, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Sendable<C> = { send(command: C): Promise<unknown> };

/** Sends every AWS call: counts calls per service (attempts included) and retries throttling and transient errors with exponential backoff. */
export class AwsCaller {
  readonly calls: Record<Service, number> = { sts: 0, ec2: 0, iam: 0, ssm: 0, backup: 0 };
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly clients: Clients,
    options: CallerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send<O>(service: Service, command: { readonly input: unknown }): Promise<O> {
    const client = this.clients[service] as unknown as Sendable<typeof command>;
    for (let attempt = 1; ; attempt++) {
      this.calls[service]++;
      try {
        return (await client.send(command)) as O;
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      }
    }
  }

  /** Follows `NextToken` (or another token field) until the last page; returns every page. */
  async pages<O extends object>(
    service: Service,
    makeCommand: (token?: string) => { readonly input: unknown },
    tokenField = "NextToken",
  ): Promise<O[]> {
    const pages: O[] = [];
    let token: string | undefined;
    do {
      const page = await this.send<O>(service, makeCommand(token));
      pages.push(page);
      token = (page as Record<string, unknown>)[tokenField] as string | undefined;
    } while (token);
    return pages;
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { BackupClient } from "@aws-sdk/client-backup";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import type { Unread } from "./facts";

export interface Clients {
  readonly sts: STSClient;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly backup: BackupClient;
  readonly events: EventBridgeClient;
  /** AWS Config, read only when the environment has an audit framework. */
  readonly config: ConfigServiceClient;
}
export type Service = keyof Clients;

/** How long one connection may take to open, and one request to be answered, before the attempt fails (and is retried). */
export const CONNECTION_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/** Credentials as STS hands them out (an assumed role's carry a session token and expire). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Settings every client shares, e.g. an `endpoint` or `credentials` (tests, a proxy). */
export interface ClientOverrides {
  readonly endpoint?: string;
  readonly credentials?: STSClient["config"]["credentials"] | AwsCredentials;
  /** @default CONNECTION_TIMEOUT_MS */
  readonly connectionTimeoutMs?: number;
  /** @default REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
}

/**
 * What every SDK client of the project is built with: the region, the overrides, the standard
 * credential chain (env, profile, SSO, instance role...) unless overridden, and a connection and a
 * request timeout, so that no call waits forever on a silent network.
 */
export function clientOptions(region: string, overrides: ClientOverrides = {}) {
  return {
    region,
    endpoint: overrides.endpoint,
    credentials: overrides.credentials,
    // Throttling and transient errors are retried by `AwsCaller` (counted, with backoff), not a second time inside the SDK.
    maxAttempts: 1,
    // The SDK builds its NodeHttpHandler from these options. Without throwOnRequestTimeout, a request
    // that outlasts requestTimeout is only logged as a warning, and goes on waiting.
    requestHandler: {
      connectionTimeout: overrides.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: overrides.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}

/** The clients preflight reads an environment's region with (see clientOptions). */
export function createClients(region: string, overrides: ClientOverrides = {}): Clients {
  const options = clientOptions(region, overrides);
  return {
    sts: new STSClient(options),
    ec2: new EC2Client(options),
    iam: new IAMClient(options),
    ssm: new SSMClient(options),
    backup: new BackupClient(options),
    events: new EventBridgeClient(options),
    config: new ConfigServiceClient(options),
  };
}

/** No call yet to any service: where counting starts. */
export function noCalls(): Record<Service, number> {
  return { sts: 0, ec2: 0, iam: 0, ssm: 0, backup: 0, events: 0, config: 0 };
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
/** A dropped or timed-out connection, or a name server that did not answer: worth another attempt. */
const TRANSIENT_NETWORK_ERRORS = new Set([
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

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly hostname?: string;
  readonly address?: string;
  readonly port?: number;
  readonly $metadata?: { readonly httpStatusCode?: number };
}
const fields = (error: unknown): SdkError => (error ?? {}) as SdkError;

/**
 * A socket error's code and the endpoint it was for. The error keeps both as fields; wrapped by the
 * SDK (an error from another realm, as under jest: "AWS SDK error wrapper for Error: connect
 * ECONNREFUSED 127.0.0.1:9") only its text has them.
 */
function socketError(error: unknown): { readonly code?: string; readonly where?: string } {
  const e = fields(error);
  const wrapped = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)\b(?: (\S+))?/.exec(e.message ?? "");
  return {
    code: e.code ?? wrapped?.[1],
    where: e.hostname ?? (e.address ? [e.address, e.port].filter(Boolean).join(":") : wrapped?.[2]),
  };
}

export function isThrottling(error: unknown): boolean {
  const e = fields(error);
  return THROTTLING.has(e.name ?? "") || e.$metadata?.httpStatusCode === 429;
}

/** Worth another attempt: throttling, an AWS server error (5xx), or a dropped or timed-out connection. */
export function isRetryable(error: unknown): boolean {
  const e = fields(error);
  return (
    isThrottling(error) ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
    TRANSIENT_NETWORK_ERRORS.has(socketError(error).code ?? "") ||
    TRANSIENT_NETWORK_ERRORS.has(e.name ?? "")
  );
}

/** The caller lacks an IAM permission: the check could not be made, which says nothing about the fleet. */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED.has(fields(error).name ?? "");
}

/** AWS answered that the resource asked for does not exist. */
export function isNotFound(error: unknown): boolean {
  return fields(error).name === "ResourceNotFoundException";
}

/** `Name: message`, as AWS (or the SDK) put it. */
export function errorText(error: unknown): string {
  const e = fields(error);
  return `${e.name ?? "Error"}: ${e.message}`;
}

/** Why AWS could not be asked (or would not answer) at all. */
export type UnreachableKind = "credentials" | "refused" | "unresolvable" | "server" | "network";

/**
 * Why AWS could not be asked at all, with the fix, or undefined when AWS answered (an AWS error
 * such as AccessDenied or ResourceNotFound is an answer: about the fact, not about the run).
 */
export function unreachableCause(error: unknown): { kind: UnreachableKind; reason: string } | undefined {
  const e = fields(error);
  if (e.name === "CredentialsProviderError")
    return {
      kind: "credentials",
      reason: `no AWS credentials found (${e.message}); sign in (aws sso login, AWS_PROFILE, AWS_ACCESS_KEY_ID...) and run again`,
    };
  const { code, where } = socketError(error);
  if (code === "ECONNREFUSED")
    return {
      kind: "refused",
      reason: `the endpoint ${where} refused the connection; check AWS_ENDPOINT_URL, the proxy and the region`,
    };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return {
      kind: "unresolvable",
      reason: `the endpoint ${where} cannot be resolved (${code}); check DNS, the network and the region name`,
    };
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500)
    return {
      kind: "server",
      reason: `AWS answered ${e.$metadata?.httpStatusCode} (${errorText(error)}) on every attempt; AWS is having trouble there: check the AWS Health Dashboard and run again later`,
    };
  if (TRANSIENT_NETWORK_ERRORS.has(code ?? "") || TRANSIENT_NETWORK_ERRORS.has(e.name ?? ""))
    return {
      kind: "network",
      reason: `no answer on any attempt (${errorText(error)}); check the network path to AWS (proxy, VPC endpoints, firewall)`,
    };
  return undefined;
}

/** AWS could not be asked: the run cannot go on, and ends with exit code 2 and this message. */
export class AwsUnreachableError extends Error {
  constructor(
    /** `service Operation`, e.g. "ec2 DescribeInstances". */
    call: string,
    readonly kind: UnreachableKind,
    reason: string,
  ) {
    super(`${call}: ${reason}`);
    this.name = "AwsUnreachableError";
  }
}

/** The overall deadline passed: the run is over, and the calls still pending are named. */
export class DeadlineExceededError extends Error {
  constructor(seconds: number, pending: readonly string[]) {
    super(
      `no answer within ${seconds} s from ${pending.length > 0 ? pending.join(", ") : "AWS"}; check the network path to AWS (proxy, VPC endpoints, firewall), or allow more time with --deadline-seconds`,
    );
    this.name = "DeadlineExceededError";
  }
}

/**
 * A fact AWS would not give (its error as data), or, when AWS could not be asked at all, the error
 * that ends the run: for the `.catch` of every source's read.
 */
export function unread(error: unknown): Unread {
  if (error instanceof AwsUnreachableError || error instanceof DeadlineExceededError) throw error;
  return { error: errorText(error), denied: isAccessDenied(error) };
}

export interface CallerOptions {
  /** Attempts per call, retried ones included. @default 6 */
  readonly maxAttempts?: number;
  /** First backoff; doubles each retry, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the backoff's jitter. @default Math.random */
  readonly random?: () => number;
}

type Sendable<C> = { send(command: C, options: { abortSignal: AbortSignal }): Promise<unknown> };

/** Where a call goes when not to the environment's region (a DR vault's region). */
export interface CallOptions {
  readonly region?: string;
}

/** `service Operation`, e.g. "ec2 DescribeInstances": how messages name a call. */
export function callName(service: string, command: { readonly input: unknown }): string {
  return `${service} ${command.constructor.name.replace(/Command$/, "")}`;
}

/**
 * Sends every AWS call: counts calls per service (attempts included), retries throttling and
 * transient errors with exponential backoff, and knows which calls are pending, to name them when
 * the deadline passes. Calls go to the environment's region unless they name another; the clients
 * of another region are built once, by the same factory, with the same timeouts. `C` is the set of
 * clients, by service name: preflight's `Clients` unless another command needs others.
 */
export class AwsCaller<C extends object = Clients> implements Cancellable {
  /** Per service of `C`, from 0. */
  readonly calls: Record<keyof C, number>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly aborter = new AbortController();
  private readonly pending = new Map<number, string>();
  private readonly clientsByRegion = new Map<string, C>();
  private nextCallId = 0;

  constructor(
    private readonly clientsIn: (region: string) => C,
    /** The environment's region, where calls go unless they name another. */
    readonly region: string,
    options: CallerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => this.wait(ms));
    this.random = options.random ?? Math.random;
    this.calls = Object.fromEntries(Object.keys(this.clientsFor(region)).map((service) => [service, 0])) as Record<
      keyof C,
      number
    >;
  }

  private clientsFor(region: string): C {
    let clients = this.clientsByRegion.get(region);
    if (!clients) {
      clients = this.clientsIn(region);
      this.clientsByRegion.set(region, clients);
    }
    return clients;
  }

  /** Waits `ms`, or less when the run is cancelled: a backoff never keeps a cancelled run alive. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.aborter.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.aborter.signal.addEventListener("abort", done, { once: true });
    });
  }

  /** The calls sent and not yet answered (retries included), as `service Operation`, first sent first. */
  pendingCalls(): string[] {
    return [...new Set(this.pending.values())];
  }

  /** Cancels every pending request; no call starts after this. */
  abort(): void {
    this.aborter.abort();
  }

  async send<O>(
    service: keyof C & string,
    command: { readonly input: unknown },
    options: CallOptions = {},
  ): Promise<O> {
    const region = options.region ?? this.region;
    const call = `${callName(service, command)}${region === this.region ? "" : ` in ${region}`}`;
    const client = this.clientsFor(region)[service] as unknown as Sendable<typeof command>;
    const id = this.nextCallId++;
    this.pending.set(id, call);
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.aborter.signal.aborted) throw new Error(`${call} not sent: the run was cancelled`);
        this.calls[service]++;
        try {
          return (await client.send(command, { abortSignal: this.aborter.signal })) as O;
        } catch (error) {
          if (!isRetryable(error) || attempt >= this.maxAttempts) {
            const cause = isThrottling(error) ? undefined : unreachableCause(error);
            throw cause ? new AwsUnreachableError(call, cause.kind, cause.reason) : error;
          }
          await this.sleep(this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + this.random() / 2));
        }
      }
    } finally {
      this.pending.delete(id);
    }
  }

  /** Follows `NextToken` (or another token field) until the last page; returns every page. */
  async pages<O extends object>(
    service: keyof C & string,
    makeCommand: (token?: string) => { readonly input: unknown },
    tokenField = "NextToken",
    options: CallOptions = {},
  ): Promise<O[]> {
    const pages: O[] = [];
    let token: string | undefined;
    do {
      const page = await this.send<O>(service, makeCommand(token), options);
      pages.push(page);
      token = (page as Record<string, unknown>)[tokenField] as string | undefined;
    } while (token);
    return pages;
  }
}

/** What a deadline cancels: one caller, or the callers of one account in organization mode. */
export interface Cancellable {
  /** The calls sent and not yet answered, as `service Operation`. */
  pendingCalls(): string[];
  /** Cancels every pending request; no call starts after this. */
  abort(): void;
}

/**
 * Runs `work`, but for at most `seconds`: then cancels every pending call of `aws` and rejects with
 * a DeadlineExceededError naming them.
 */
export async function withDeadline<T>(aws: Cancellable, seconds: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const pending = aws.pendingCalls();
      aws.abort();
      reject(new DeadlineExceededError(seconds, pending));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
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

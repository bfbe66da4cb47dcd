import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";

/** The provider every stack uses, as the offline mirror lays it out. */
export const AWS_PROVIDER = { source: "registry.terraform.io/hashicorp/aws", version: "5.100.0" };
/** Names the provider mirror directory (the one called registry.terraform.io); else it is searched for. */
export const MIRROR_VARIABLE = "VSS_TF_PROVIDER_MIRROR";

/** The nearest folder with a package.json: found, not assumed, since esbuild bundles move this file. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Git-ignored home of everything Terraform writes for the project's own scripts. */
export const TERRAFORM_CACHE = join(projectRoot(), ".cache", "terraform");

/**
 * The directory that holds registry.terraform.io/hashicorp/aws/5.100.0 (the filesystem mirror's
 * root), from VSS_TF_PROVIDER_MIRROR or found within four levels of /. Undefined when there is none.
 */
export function findProviderMirror(variables: NodeJS.ProcessEnv = process.env): string | undefined {
  const holdsProvider = (registryDir: string) =>
    existsSync(join(registryDir, "hashicorp", "aws", AWS_PROVIDER.version));
  const named = variables[MIRROR_VARIABLE];
  if (named) {
    const registryDir = named.endsWith("registry.terraform.io") ? named : join(named, "registry.terraform.io");
    return holdsProvider(registryDir) ? resolve(registryDir, "..") : undefined;
  }
  const skip = new Set(["/proc", "/sys", "/dev", "/run", "/tmp", "/var/lib/docker"]);
  let level = ["/"];
  for (let depth = 1; depth <= 4 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (!entry.isDirectory() || entry.name === "node_modules" || entry.name.startsWith(".git")) continue;
        const path = join(dir, entry.name);
        if (skip.has(path)) continue;
        if (entry.name === "registry.terraform.io" && holdsProvider(path)) return dir;
        next.push(path);
      }
    }
    level = next;
  }
  return undefined;
}

/**
 * Writes the project's own Terraform CLI configuration: hashicorp/aws from the offline mirror when
 * there is one, and one shared plugin cache, so the provider is linked into each stack, not copied.
 */
export function writeCliConfig(mirror: string | undefined): string {
  const pluginCache = join(TERRAFORM_CACHE, "plugins");
  mkdirSync(pluginCache, { recursive: true });
  const installation = mirror
    ? `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
    : "";
  const file = join(TERRAFORM_CACHE, "cli.tfrc");
  // Synthesized stacks have no lock file, and without this Terraform re-installs the provider into the
  // cache on every init, replacing the entry that stacks already initialized are running from.
  writeFileSync(
    file,
    `${installation}plugin_cache_dir = ${JSON.stringify(pluginCache)}\nplugin_cache_may_break_dependency_lock_file = true\n`,
  );
  return file;
}

export type Tool = "terraform" | "provider mirror" | "moto_server";

/** Of the tools named, those missing, each with how to get it. */
export function missingTools(
  mirror: string | undefined,
  needs: readonly Tool[] = ["terraform", "provider mirror", "moto_server"],
): string[] {
  const onPath = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
  const problems: Record<Tool, () => string | undefined> = {
    terraform: () =>
      onPath("terraform") ? undefined : "terraform is not on PATH (https://developer.hashicorp.com/terraform/install)",
    "provider mirror": () =>
      mirror
        ? undefined
        : `no provider mirror holding hashicorp/aws ${AWS_PROVIDER.version} (set ${MIRROR_VARIABLE}, or run: terraform providers mirror <dir>)`,
    moto_server: () =>
      onPath("moto_server") ? undefined : 'moto_server is not on PATH (pip install "moto[server]==5.2.1")',
  };
  return needs.map((tool) => problems[tool]()).filter((problem): problem is string => problem !== undefined);
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How long one terraform command may run before it is stopped: a hung apply or destroy must fail its
 * test and let afterAll go on to stop moto, within the tier's 10-minute hook timeout.
 */
export const TERRAFORM_TIMEOUT_MS = 5 * 60_000;

/** Runs terraform without blocking the event loop, so stacks can run side by side. */
export function terraform(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = TERRAFORM_TIMEOUT_MS,
): Promise<CommandResult> {
  return runCommand("terraform", args, {
    cwd,
    env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" },
    timeoutMs,
  });
}

/**
 * Runs a command without blocking the event loop, its output collected; stopped when it outlasts
 * `timeoutMs` (then its stderr says so). Rejects only when the command cannot be started.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<CommandResult> {
  const { cwd, env, timeoutMs } = options;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // SIGTERM lets terraform release its state lock; SIGKILL if it ignores that for a grace period.
    const timer = setTimeout(() => {
      stderr += `\n${command} ${args[0]} did not finish within ${timeoutMs / 1000} s and was stopped`;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), Math.min(timeoutMs, 10_000)).unref();
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Like `terraform`, but a non-zero exit is an error that carries Terraform's own output. */
export async function terraformOk(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await terraform(args, cwd, env);
  if (result.code !== 0)
    throw new Error(`terraform ${args.join(" ")} failed in ${cwd}:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

export interface ValidateOutput {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly {
    readonly severity: string;
    readonly summary: string;
    readonly detail?: string;
    readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
  }[];
}

/** One line per diagnostic, "file:line: severity: summary: detail", the way CI logs should show it. */
export function formatDiagnostics(output: ValidateOutput): string[] {
  return output.diagnostics.map((d) => {
    const where = d.range ? `${d.range.filename}:${d.range.start.line}` : "(no file)";
    return `${where}: ${d.severity}: ${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, " ")}` : ""}`;
  });
}

// Concurrent inits race to fill the shared plugin cache; one at a time, they only link from it.
let initQueue: Promise<unknown> = Promise.resolve();

/** `terraform init` (offline, one at a time in this process), then `terraform validate -json`. */
export async function initAndValidate(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  options: { backend: boolean },
): Promise<ValidateOutput> {
  const init = initQueue.then(() =>
    terraformOk(["init", "-input=false", "-no-color", ...(options.backend ? [] : ["-backend=false"])], stackDir, env),
  );
  initQueue = init.catch(() => undefined);
  await init;
  const result = await terraform(["validate", "-json", "-no-color"], stackDir, env);
  return JSON.parse(result.stdout) as ValidateOutput;
}

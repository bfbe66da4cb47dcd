// `npm run review -- [--out cdktf.out] [--base <other cdktf.out>] [--plan <env>=<plan.json>]... [--output <file.md>]`
// Writes the pull-request review (posture and changes per environment) as Markdown and prints it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { parseArgs } from "util";
import { changesFromPlan, changesFromSynth } from "./changes";
import { postureOf, StackJson } from "./posture";
import { EnvironmentReview, renderReview } from "./report";

const USAGE =
  "usage: npm run review -- [--out cdktf.out] [--base <dir>] [--plan <env>=<plan.json>]... [--output <file.md>]";

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;
const stackFile = (outdir: string, name: string) => join(outdir, "stacks", name, "cdk.tf.json");

let options;
try {
  options = parseArgs({
    options: {
      out: { type: "string", default: "cdktf.out" },
      base: { type: "string" },
      plan: { type: "string", multiple: true, default: [] },
      output: { type: "string", default: join("cdktf.out", "review.md") },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}

const stacksDir = join(options.out, "stacks");
if (!existsSync(stacksDir)) fail(`${stacksDir} does not exist: run npm run synth first`);
const plans = new Map<string, string>();
for (const entry of options.plan) {
  const [env, file] = entry.split("=", 2);
  if (!env || !file || !existsSync(file)) fail(`--plan ${entry}: expected <env>=<existing plan JSON file>`);
  plans.set(env, file);
}
if (options.base && !existsSync(join(options.base, "stacks"))) fail(`--base ${options.base} has no stacks/ folder`);

const reviews: EnvironmentReview[] = readdirSync(stacksDir)
  .filter((name) => existsSync(stackFile(options.out, name)))
  .sort()
  .map((name) => {
    const head = readJson<StackJson>(stackFile(options.out, name));
    const plan = plans.get(name);
    if (plan) return { name, posture: postureOf(head), changes: changesFromPlan(readJson(plan)), changesFrom: "plan" };
    if (options.base) {
      const baseFile = stackFile(options.base, name);
      const base = existsSync(baseFile) ? readJson<StackJson>(baseFile) : undefined;
      return { name, posture: postureOf(head), changes: changesFromSynth(base, head), changesFrom: "synthesized JSON" };
    }
    return { name, posture: postureOf(head) };
  });

const markdown = renderReview(reviews, new Date());
mkdirSync(dirname(options.output), { recursive: true });
writeFileSync(options.output, markdown);
console.log(markdown);
console.error(`review written to ${options.output}`);

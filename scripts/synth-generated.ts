// Benchmark input: synthesizes N generated environments (default 100) into a scratch directory,
// through the same validation and stacks as main.ts. Each environment gets its own account so
// that the cross-environment checks pass. Usage: node scripts/run.js scripts/synth-generated.ts <N> <outdir>
import { config } from "../config/environments";
import type { EnvironmentConfig } from "../config/types";
import { loadEnvironments } from "../config/validate";
import { synthesize } from "../stacks/synthesize";

const count = Number(process.argv[2] ?? 100);
const outdir = process.argv[3];
if (!Number.isInteger(count) || count < 1 || !outdir) {
  console.error("usage: node scripts/run.js scripts/synth-generated.ts <count> <outdir>");
  process.exit(2);
}
const templates = config.environments;
// Each copy moves to its own account, the account in the template's ARNs (e.g. exempted roles) too.
const environments: EnvironmentConfig[] = Array.from({ length: count }, (_, i) => {
  const template = templates[i % templates.length];
  const account = String(100_000_000_000 + i);
  const moved = JSON.parse(JSON.stringify(template).replaceAll(`:${template.account}:`, `:${account}:`));
  return { ...moved, name: `env-${String(i + 1).padStart(3, "0")}`, account };
});
void synthesize({
  load: (now) => ({ environments: loadEnvironments({ ...config, environments }, { now }) }),
  appConfig: { outdir },
  variables: process.env,
});

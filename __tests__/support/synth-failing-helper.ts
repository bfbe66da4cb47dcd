// Test entry (node scripts/run.js __tests__/support/synth-failing-helper.ts <outdir>): synthesizes the
// fixture project over two threads, of which the helper thread fails as it starts.
import { isMainThread } from "worker_threads";
import { loadEnvironments } from "../../config/validate";
import { synthesize } from "../../stacks/synthesize";
import { PLAIN_PROJECT } from "./fixtures";

if (!isMainThread) throw new Error("the helper thread failed as it started");
void synthesize({
  load: (now) => ({ environments: loadEnvironments(PLAIN_PROJECT, { now }) }),
  appConfig: { outdir: process.argv[2] },
  variables: { VSS_SYNTH_THREADS: "2" },
});

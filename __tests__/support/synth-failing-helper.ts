// Test entry (node scripts/run.js __tests__/support/synth-failing-helper.ts <count> <outdir>, with
// VSS_SYNTH_THREADS=2): scripts/synth-generated.ts, whose helper thread fails as it starts.
import { isMainThread } from "worker_threads";

if (!isMainThread) throw new Error("the helper thread failed as it started");
// Imported only after the check: a static import would run first.
void import("../../scripts/synth-generated");

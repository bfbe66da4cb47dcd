import type { AppConfig } from "cdktf";
import { availableParallelism } from "os";
import { parentPort, Worker, workerData } from "worker_threads";
import type { Variables } from "../config/backend";
import type { SelectedStacks } from "../config/stacks";
import { ValidationError } from "../modules/validation";
import { buildApp } from "./app";

/** Sets how many threads synthesize (1 turns threads off). @default one per 100 stacks, at most one per core */
export const THREADS_VARIABLE = "VSS_SYNTH_THREADS";
const MAX_THREADS = 64;
/**
 * Stacks worth a thread of their own: a helper thread loads the code again before it synthesizes and
 * so starts about 0.8 s after the first thread (what some 50 member stacks take there); fewer stacks
 * than this gain nothing from it.
 */
const STACKS_PER_THREAD = 100;

/**
 * What a thread started by `synthesize` gets: the stacks the first thread loaded (plain data, copied),
 * the first thread's clock, the batch size, and the counter every thread takes its next batch from.
 */
interface SharedBatches {
  readonly stacks: SelectedStacks;
  readonly now: string;
  readonly batchSize: number;
  readonly nextBatch: Int32Array;
}
const SHARED_BATCHES = "vssSynthesisBatches";
/**
 * Stacks a thread takes at a time: small enough that threads finish together (a helper starts some
 * 0.8 s after the first thread, which meanwhile synthesizes), large enough that an App per batch costs nothing.
 */
const BATCH_SIZE = 16;

export interface Synthesis {
  /** Loads (and validates) the stacks at `now`; only the first thread runs it. */
  readonly load: (now: Date) => SelectedStacks;
  /** Runs after `load`, before anything is written: e.g. to print warnings. @default nothing */
  readonly loaded?: (stacks: SelectedStacks) => void;
  /** The app's configuration (outdir, context), the same in every thread. @default cdktf's defaults */
  readonly appConfig?: AppConfig;
  /** Where VSS_SYNTH_THREADS is read from: the process environment. */
  readonly variables: Variables;
}

export interface SynthesisSummary {
  /** How many stacks each thread wrote, the first thread first. */
  readonly stacksPerThread: readonly number[];
}

/**
 * Synthesizes what `load` returns into one output directory, over several threads when there are
 * many stacks: cdktf synthesizes a stack on one core, some 13 ms for a member stack, and 500 of them
 * would take 7 s on one core. The stacks are self-contained (no cross-stack references), so threads
 * take batches of them in turn from a shared counter, each batch in an App of its own, until none is
 * left; the first thread then writes the one manifest.json of every stack, after the others have
 * written theirs. A helper thread runs the entry point again (the bundle that holds the constructs),
 * so that must be a JavaScript file that calls this function, as scripts/run.js and cdktf's app
 * command run it; the helper then takes the stacks the first thread loaded instead of loading them
 * again. Resolves, in the first thread, to how many stacks each thread wrote; in a helper to undefined.
 */
export async function synthesize(synthesis: Synthesis): Promise<SynthesisSummary | undefined> {
  const shared = (workerData as Record<string, SharedBatches> | null)?.[SHARED_BATCHES];
  if (shared) {
    parentPort!.postMessage(synthesizeBatches(shared, synthesis.appConfig, new Date(shared.now)));
    return undefined;
  }
  const now = new Date();
  const stacks = synthesis.load(now);
  synthesis.loaded?.(stacks);
  // Never more threads than batches: a thread without one would load the code for nothing.
  const threads = Math.min(
    synthesisThreads(
      stacks.environments.length + (stacks.management ? 1 : 0),
      availableParallelism(),
      synthesis.variables[THREADS_VARIABLE],
    ),
    Math.max(1, Math.ceil(stacks.environments.length / BATCH_SIZE)),
  );
  const batches: SharedBatches = {
    stacks,
    now: now.toISOString(),
    batchSize: threads === 1 ? Math.max(1, stacks.environments.length) : BATCH_SIZE,
    nextBatch: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
  };
  const helpers: ReturnType<typeof startHelper>[] = [];
  try {
    // Started inside `try`: if starting one fails, those already started are stopped too.
    for (let i = 1; i < threads; i++) helpers.push(startHelper(batches));
    const written = Promise.all(helpers.map((other) => other.written));
    written.catch(() => undefined); // awaited below; a failure here first must not also go unhandled
    const own = synthesizeBatches(batches, synthesis.appConfig, now);
    if (helpers.length === 0) return { stacksPerThread: [Object.keys(own).length] };
    const theirs = await written;
    // An empty App of the same configuration writes the manifest as cdktf's own apps do.
    const { manifest } = buildApp([], synthesis.appConfig, now);
    Object.assign(manifest.stacks, own, ...theirs);
    manifest.writeToFile();
    return { stacksPerThread: [own, ...theirs].map((entries) => Object.keys(entries).length) };
  } finally {
    await Promise.all(helpers.map((other) => other.worker.terminate()));
  }
}

/**
 * Synthesizes batches of `stacks.environments` (the management stack with the first batch) until the
 * shared counter runs past the last one; returns the manifest entries of the stacks it wrote.
 */
function synthesizeBatches(
  { stacks, batchSize, nextBatch }: SharedBatches,
  appConfig: AppConfig | undefined,
  now: Date,
): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  const take = () => Atomics.add(nextBatch, 0, 1); // the batch number this thread takes; no other thread gets it
  // Batch 0 always runs: it holds the management stack, and an app without stacks still writes its manifest.
  for (let batch = take(); batch === 0 || batch * batchSize < stacks.environments.length; batch = take()) {
    const environments = stacks.environments.slice(batch * batchSize, (batch + 1) * batchSize);
    const app = buildApp(environments, appConfig, now, batch === 0 ? stacks.management : undefined);
    app.synth(); // also writes a manifest of this batch: the first thread overwrites it with the whole one
    Object.assign(written, app.manifest.stacks);
  }
  return written;
}

/**
 * How many threads synthesize `stacks` stacks on `cores` cores: VSS_SYNTH_THREADS when it is set
 * (never more than there are stacks), else one per STACKS_PER_THREAD stacks, at most one per core.
 */
export function synthesisThreads(stacks: number, cores: number, variable: string | undefined): number {
  if (variable !== undefined && variable !== "") {
    const threads = /^[1-9]\d*$/.test(variable) ? Number(variable) : NaN;
    if (!(threads <= MAX_THREADS))
      throw new ValidationError("Invalid configuration", [
        {
          path: THREADS_VARIABLE,
          message: `"${variable}" is not allowed, allowed: a whole number of threads from 1 to ${MAX_THREADS}`,
        },
      ]);
    return Math.max(1, Math.min(threads, stacks));
  }
  return Math.max(1, Math.min(cores, Math.ceil(stacks / STACKS_PER_THREAD)));
}

/** Runs the entry point again in a thread that takes batches too; resolves to the manifest entries it wrote. */
function startHelper(batches: SharedBatches): { worker: Worker; written: Promise<Record<string, unknown>> } {
  const worker = new Worker(process.argv[1], {
    argv: process.argv.slice(2),
    workerData: { [SHARED_BATCHES]: batches },
  });
  const written = new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`a synthesis thread stopped (exit code ${code}) before it finished its stacks`)),
    );
  });
  return { worker, written };
}

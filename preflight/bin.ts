// Entry point of `npm run preflight` and the vss-preflight bin: the one place that reads the wall clock.
import { main } from "./cli";

main(process.argv.slice(2), { now: new Date() }).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`preflight failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);

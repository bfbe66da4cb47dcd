// Entry point of `npm run preflight` and the vss-preflight bin.
import { main } from "./cli";

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`preflight failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);

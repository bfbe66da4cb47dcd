// Entry point of `npm run accounts`.
import { main } from "./cli";

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`accounts failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 2;
  },
);

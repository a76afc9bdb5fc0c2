/**
 * Runs a benchmark to completion and exits: its pools, Redis client or child processes must not
 * keep the process alive, and a failure must fail `npm run bench`.
 */
export function runAndExit(run: () => Promise<unknown>): void {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** runAndExit when `moduleUrl` is the file tsx was started with, not when run-all imports it. */
export function runIfMain(moduleUrl: string, run: () => Promise<unknown>): void {
  if (moduleUrl === `file://${process.argv[1]}`) runAndExit(run);
}

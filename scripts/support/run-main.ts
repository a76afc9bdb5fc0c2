import { isLoyaltyError } from "@/lib/loyalty/errors";
import { ScriptError } from "./open-database";

/** Entry point wrapper: known failures print one line and exit 1; anything else is a bug and shows its stack. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof ScriptError || isLoyaltyError(error)) console.error(`Error: ${error.message}`);
      else console.error(error);
      process.exitCode = 1;
    },
  );
}

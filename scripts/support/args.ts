import { parseArgs, type ParseArgsConfig } from "node:util";
import { ScriptError } from "./open-database";

/** node:util parseArgs, with its errors turned into one-line script errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ScriptError(`${(error as Error).message}\nUsage: ${usage}`);
  }
}

export function expectSubcommand(positionals: string[], allowed: readonly string[], usage: string): string {
  const sub = positionals[0];
  if (!sub || !allowed.includes(sub)) throw new ScriptError(`Usage: ${usage}`);
  return sub;
}

import { createApiKey, parseScopes } from "@/lib/loyalty/api-keys";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, ScriptError, withDatabase } from "../support/open-database";

const USAGE = "npm run cli -- api-key create --name NAME [--scopes a,b]";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { name: { type: "string" }, scopes: { type: "string" } }, USAGE);
  expectSubcommand(positionals, ["create"], USAGE);
  const name = values.name?.trim();
  if (!name || name.length > 100) throw new ScriptError(`--name is required (at most 100 characters).\nUsage: ${USAGE}`);
  let scopes;
  try {
    scopes = values.scopes === undefined ? undefined : parseScopes(values.scopes);
  } catch (error) {
    throw new ScriptError((error as Error).message);
  }
  if (scopes && scopes.length === 0) throw new ScriptError("--scopes names no scope.");

  const { key, apiKey } = await withDatabase(({ db }) => createApiKey(db, { name, scopes }));
  console.log(`Created API key "${apiKey.name}" (id ${apiKey.id}) on the ${describeDatabase()}.`);
  console.log(`Scopes: ${apiKey.scopes.join(", ")}`);
  console.log("Store the key now: only its hash is kept, it cannot be shown again.");
  console.log(key);
  return 0;
}

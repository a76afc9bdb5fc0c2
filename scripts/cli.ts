import "./support/load-env";
import { runMain } from "./support/run-main";
import { ScriptError } from "./support/open-database";

export const USAGE = `Usage: npm run cli -- <command>

  api-key create --name NAME --scopes a,b [--rate-limit R] [--expires-in 90d]
                                              create an API key (R requests/s); the key is the last line
  api-key list                                every key: status, scopes, rate limit, expiry, last use
  api-key revoke NAME|ID                      revoke a key now (running apps refuse it within 10 s)
  api-key rotate NAME|ID [--grace 1h]         replace a key's secret; the new key is the last line
  users create --email E --roles admin[,support,marketing] [--password-stdin]
                                              a staff account; without --password-stdin, prints a one-time link to set the password
  users grant|revoke --email E --roles a,b    change an account's staff roles (the last admin keeps admin)
  users link --email E                        a new one-time password link for a staff account
  users list [--role R]                       the staff accounts and their roles
  members import FILE.csv [--batch-size N]    import members (columns externalId,email,name)
  members export --external-id ID [--out FILE] [--actor EMAIL]
                                              a member's data as JSON (docs/privacy.md); audited, as that staff account if given
  members erase --external-id ID --reason TEXT --actor EMAIL
                                              erase a member's personal data as that admin (audited; a repeat changes nothing)
  jobs run expire|tiers|reminders [--now ISO] run a nightly job now (the same code the cron routes run)
  ledger verify                               reconcile cached balances and totals with the ledger; exit 1 on any difference
  ledger import FILE.csv [--dry-run] [--reason TEXT] [--report OUT.csv]
                                              opening balances (columns externalId,points,earnedAt,expiresAt,reference); exit 2 if lines were rejected
  db migrate                                  apply the migrations in drizzle/
  db seed --demo                              add the demo accounts and data (refuses production and a database with real members)

The database is DATABASE_URL when set, otherwise the embedded one in PGLITE_DIR (.data/pglite).`;

type CommandModule = { run(args: string[]): Promise<number | void> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  "api-key": () => import("./commands/api-key"),
  members: () => import("./commands/members"),
  users: () => import("./commands/users"),
  jobs: () => import("./commands/jobs"),
  ledger: () => import("./commands/ledger"),
  db: () => import("./commands/db"),
};

runMain(async () => {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) throw new ScriptError(`Unknown command "${name}".\n\n${USAGE}`);
  return (await load()).run(args);
});

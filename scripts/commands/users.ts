import { env } from "@/lib/env";
import { passwordLinkUrl } from "@/lib/auth/password-link";
import {
  createStaffAccount,
  grantStaffRoles,
  listStaffAccounts,
  parseStaffRoles,
  reissuePasswordLink,
  revokeStaffRoles,
  type RoleChange,
} from "@/lib/auth/staff-accounts";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, ScriptError, withDatabase } from "../support/open-database";

const USAGE = `npm run cli -- users create --email EMAIL --roles admin[,support,marketing] [--name NAME] [--password-stdin] [--reason TEXT]
       npm run cli -- users grant|revoke --email EMAIL --roles ROLE[,ROLE] [--reason TEXT]
       npm run cli -- users link --email EMAIL
       npm run cli -- users list [--role ROLE]`;

const OPTIONS = {
  email: { type: "string" },
  roles: { type: "string" },
  role: { type: "string" },
  name: { type: "string" },
  reason: { type: "string" },
  "password-stdin": { type: "boolean" },
} as const;

/** The whole of standard input, less the one line break `echo` or a password manager adds. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (the input is shown; end with Enter, then Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

function origin(): string {
  const url = env().AUTH_URL;
  return url ? new URL(url).origin : "http://localhost:3000";
}

function printLink(email: string | null, userId: string, token: string, expiresAt: Date): void {
  console.log(`Send this one-time link to ${email ?? "the account's owner"} to choose a password (valid until ${expiresAt.toISOString()}, works once):`);
  if (!env().AUTH_URL) console.log("(AUTH_URL is not set: replace http://localhost:3000 by the app's public address)");
  console.log(passwordLinkUrl(origin(), userId, token));
}

function printChange(verb: string, change: RoleChange): void {
  const same = change.before.join(",") === change.after.join(",");
  console.log(
    same
      ? `${change.email}: nothing to ${verb}; roles ${change.after.join(", ") || "none"}.`
      : `${change.email}: roles ${change.before.join(", ") || "none"} → ${change.after.join(", ") || "none"}.`,
  );
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
  const sub = expectSubcommand(positionals, ["create", "grant", "revoke", "link", "list"], USAGE);
  if (positionals.length > 1) throw new ScriptError(`Unexpected argument "${positionals[1]}".\nUsage: ${USAGE}`);
  const need = (name: "email" | "roles") => {
    const value = values[name];
    if (!value?.trim()) throw new ScriptError(`--${name} is required.\nUsage: ${USAGE}`);
    return value;
  };

  if (sub === "list") {
    const role = values.role === undefined ? undefined : parseStaffRoles(values.role)[0];
    const accounts = await withDatabase(({ db }) => listStaffAccounts(db, "cli", { role }));
    for (const a of accounts) {
      const password = a.passwordSet ? "password set" : a.linkPending ? "link pending" : "no password";
      console.log(`${(a.email ?? "(no email)").padEnd(32)} ${a.roles.join(",").padEnd(30)} ${password.padEnd(13)} created ${a.createdAt.toISOString()}`);
    }
    console.log(`${accounts.length} staff account(s) on the ${describeDatabase()}.`);
    return 0;
  }

  const email = need("email");
  if (sub === "link") {
    const link = await withDatabase(({ db }) => reissuePasswordLink(db, "cli", { email }));
    printLink(link.email, link.userId, link.token, link.expiresAt);
    return 0;
  }
  const roles = need("roles").split(",");
  const reason = values.reason ?? null;
  if (sub === "grant") {
    printChange("grant", await withDatabase(({ db }) => grantStaffRoles(db, "cli", { email, roles, reason })));
    return 0;
  }
  if (sub === "revoke") {
    printChange("revoke", await withDatabase(({ db }) => revokeStaffRoles(db, "cli", { email, roles, reason })));
    return 0;
  }

  // create: check what can be checked before asking for (or reading) a password.
  parseStaffRoles(roles);
  const password = values["password-stdin"] ? await readPassword() : null;
  const created = await withDatabase(({ db }) => createStaffAccount(db, "cli", { email, name: values.name, roles, password, reason }));
  console.log(`Created ${created.user.email} (${created.user.roles.join(", ")}) on the ${describeDatabase()}.`);
  if (created.passwordLink) printLink(created.user.email, created.user.id, created.passwordLink.token, created.passwordLink.expiresAt);
  else console.log(`It can sign in now at ${origin()}/sign-in.`);
  return 0;
}

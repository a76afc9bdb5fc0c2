import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@/db/seed-data/demo-accounts";

/** The demo sign-ins, for a newcomer's terminal. */
export function demoAccountsText(baseUrl: string): string {
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  return [
    `Demo accounts (password for all: ${DEMO_PASSWORD}), sign in at ${baseUrl}/sign-in`,
    ...DEMO_ACCOUNTS.map((a) => `  ${a.email.padEnd(width)}  ${a.roles.join(", ").padEnd(26)} ${a.what}`),
  ].join("\n");
}

export function apiKeyText(key: string): string {
  return [
    "Demo API key (all scopes; shown once, only its hash is stored):",
    `  ${key}`,
    `  try: curl -H "Authorization: Bearer ${key}" http://localhost:3000/api/v1/members/demo-0001`,
  ].join("\n");
}

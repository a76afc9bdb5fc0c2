import { DEMO_ACCOUNTS, DEMO_MEMBER_PREFIX } from "./demo-accounts";

export const DEMO_MEMBER_COUNT = 50;

const FIRST = [
  "Liam",
  "Olivia",
  "Noah",
  "Emma",
  "Oliver",
  "Amelia",
  "Elijah",
  "Sofia",
  "Lucas",
  "Isla",
  "Mateo",
  "Chloe",
  "Leo",
  "Zara",
  "Hugo",
  "Maya",
  "Arjun",
  "Nora",
  "Kenji",
  "Ines",
];
const LAST = [
  "Nguyen",
  "Garcia",
  "Okafor",
  "Schmidt",
  "Rossi",
  "Dubois",
  "Kowalski",
  "Haddad",
  "Silva",
  "Novak",
  "Larsen",
  "Tanaka",
  "Murphy",
  "Costa",
  "Ivanova",
  "Mensah",
  "Moreau",
  "Patel",
  "Fischer",
  "Lopez",
];

/** How much a demo member buys: a spread that lands members in every tier. */
export type SpendProfile = "gold" | "silver" | "casual" | "lapsed";

export interface DemoMember {
  externalId: string;
  email: string;
  name: string;
  profile: SpendProfile;
}

/** A small seeded PRNG (mulberry32): the demo data is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoMembers(): DemoMember[] {
  const memberAccount = DEMO_ACCOUNTS.find((a) => a.memberExternalId)!;
  const list: DemoMember[] = [];
  for (let i = 1; i <= DEMO_MEMBER_COUNT; i++) {
    const externalId = `${DEMO_MEMBER_PREFIX}${String(i).padStart(4, "0")}`;
    const first = FIRST[(i * 7) % FIRST.length]!;
    const last = LAST[(i * 13) % LAST.length]!;
    const profile: SpendProfile = i % 10 === 3 ? "gold" : i % 4 === 2 ? "silver" : i % 9 === 5 ? "lapsed" : "casual";
    list.push(
      externalId === memberAccount.memberExternalId
        ? { externalId, email: memberAccount.email, name: memberAccount.name, profile: "silver" }
        : { externalId, email: `${first}.${last}.${i}@example.net`.toLowerCase(), name: `${first} ${last}`, profile },
    );
  }
  return list;
}

import fs from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";
import { MAIL_DIR } from "./e2e-env";

interface StoredMail {
  to: string[];
  raw: string;
}

function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function mailsTo(address: string): string[] {
  if (!fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(MAIL_DIR, name), "utf8")) as StoredMail)
    .filter((mail) => mail.to.includes(address.toLowerCase()))
    .map((mail) => decodeQuotedPrintable(mail.raw));
}

/** The verification link of the newest email the app sent to this address (waits for it to arrive). */
export async function verificationLinkFor(address: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const newest = mailsTo(address).at(-1);
        link = newest?.match(/https?:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_-]+/)?.[0];
        return link;
      },
      { message: `a verification email to ${address}` },
    )
    .toBeDefined();
  return link!;
}

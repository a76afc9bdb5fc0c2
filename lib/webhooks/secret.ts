import crypto from "node:crypto";
import { authSecret } from "@/lib/auth/secret";

/**
 * Standard Webhooks sign with HMAC-SHA256 under the endpoint's secret, so the secret must be
 * recoverable (a hash would not do). It is stored encrypted, AES-256-GCM with a key derived from
 * AUTH_SECRET by HKDF, so a copy of the table does not let anyone forge our webhooks. Changing
 * AUTH_SECRET makes stored secrets unreadable: those endpoints must be created again.
 */
function key(): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", authSecret(), "loyalty-webhooks", "webhook secret v1", 32));
}

/** A new secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString("base64")}`;
}

export function encryptWebhookSecret(secret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const data = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

/** The secret, or null when it cannot be read (another AUTH_SECRET, a damaged value). */
export function decryptWebhookSecret(stored: string): string | null {
  const [version, iv, tag, data] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !data) return null;
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

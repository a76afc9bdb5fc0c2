import crypto from "node:crypto";
import { authSecret } from "@/lib/auth/secret";

function key(): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", authSecret(), "loyalty-erasure", "erased external id v1", 32));
}

/**
 * HMAC-SHA256 of an external id under a key derived from AUTH_SECRET, kept on an erased member
 * (members.erased_id_digest) so that a repeated erasure naming the old external id answers the
 * first one. Keyed, so the digest cannot confirm a guessed id without the secret; a rotated
 * AUTH_SECRET makes old digests unmatchable (a late repeat then answers member_not_found).
 */
export function erasedIdDigest(externalId: string): string {
  return crypto.createHmac("sha256", key()).update(externalId).digest("base64url");
}

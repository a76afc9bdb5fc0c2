"use server";

import { signIn } from "@/auth";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";

export async function oidcSignInAction(form: FormData): Promise<void> {
  await signIn("oidc", { redirectTo: safeRedirectPath(form.get("callbackUrl")) });
}

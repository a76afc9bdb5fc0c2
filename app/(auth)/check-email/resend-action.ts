"use server";

import { authorize } from "@/lib/auth/session";
import { resendMemberLink } from "@/lib/auth/resend-member-link";
import { sendMemberLink } from "@/lib/auth/send-member-link";
import { getDb } from "@/db/client";
import type { FormState } from "@/lib/portal/form-state";
import { RESEND_LINK_POLICY, tooManyAttempts } from "@/lib/rate-limit/policies";
import { rateLimits } from "@/lib/rate-limit/rate-limits";
import { redirect } from "next/navigation";

export type ResendState = FormState<never, { message: string }>;

export async function resendAction(): Promise<ResendState> {
  const allowed = await authorize();
  if (!allowed.ok) return { status: "error", formError: allowed.formError };
  const limit = await rateLimits().consume(RESEND_LINK_POLICY, allowed.user.id);
  if (!limit.allowed) return { status: "error", formError: tooManyAttempts(limit.retryAfterSeconds) };
  const result = await resendMemberLink(getDb(), allowed.user.id, new Date());
  switch (result.status) {
    case "linked":
      return redirect("/");
    case "too_soon":
      return { status: "error", formError: `A link was sent less than a minute ago. Try again in ${result.retryAfterSeconds} seconds.` };
    case "no_email":
      return { status: "error", formError: "Your account has no email address. Please contact support." };
    case "sent": {
      const sent = await sendMemberLink(result.email, allowed.user.name, result.token, result.expiresAt);
      if (!sent) return { status: "error", formError: "We could not send the email. Please try again in a minute." };
      return { status: "success", message: `We sent a new link to ${result.email}.` };
    }
  }
}

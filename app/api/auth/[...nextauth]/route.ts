import { handlers } from "@/auth";
import { otherMethods } from "@/lib/http/methods";

export const { GET, POST } = handlers;

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");

import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { registerCampaignPaths } from "./campaign-paths";
import { registerEarningRulePaths } from "./earning-rule-paths";
import { registerPrivacyPaths } from "./privacy-paths";
import { registerWebhookPaths } from "./webhook-paths";

/**
 * Operations documented by other parts of the API (campaigns…): each registers its paths with
 * `registerApiPath` from ./document, from the same zod schemas its routes validate with.
 */
export const extraApiPaths: Array<(registry: OpenAPIRegistry) => void> = [
  registerCampaignPaths,
  registerWebhookPaths,
  registerPrivacyPaths,
  registerEarningRulePaths,
];

export * from "./program";
export * from "./members";
export * from "./ledger";
export * from "./holds";
export * from "./operations";
export * from "./auth";
export * from "./webhooks";
export * from "./referrals";

// Kept for test/portal/member-link-email.test.ts, which still imports this path.
export * from "../../support/smtp-sink";

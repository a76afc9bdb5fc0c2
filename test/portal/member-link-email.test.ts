import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpMailer } from "@/lib/mail/mailer";
import { memberLinkOrigin, memberLinkUrl } from "@/lib/auth/link-origin";
import { deliverMemberLink } from "@/lib/auth/member-link-email";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";

const token = "a".repeat(40) + "_-b";

describe("the verification email", () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  it("goes through a real SMTP server with the link in it", async () => {
    const url = memberLinkUrl("http://localhost:3917", token);
    await deliverMemberLink(createSmtpMailer(sink.url, "Loyalty <no-reply@loyalty.local>"), {
      to: "owen@example.com",
      name: "<Owen>",
      url,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to).toEqual(["owen@example.com"]);
    const decoded = mail.raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    expect(decoded).toContain(`http://localhost:3917/verify-email?token=${token}`);
    expect(decoded).toContain("&lt;Owen&gt;");
    expect(decoded).not.toContain("<p>Hello <Owen>");
  });

  it("is printed on the console with the link when SMTP is not configured", async () => {
    const lines: string[] = [];
    await deliverMemberLink(null, { to: "dev@example.com", name: null, url: "http://localhost:3000/verify-email?token=t", expiresAt: new Date() }, (l) =>
      lines.push(l),
    );
    expect(lines.join("\n")).toMatch(/Verification link for dev@example\.com:\n\s+http:\/\/localhost:3000\/verify-email\?token=t/);
  });

  it("never builds an emailed link from the request host in production", () => {
    const base = { nodeEnv: "production" as const, requestOrigin: "https://evil.example" };
    expect(memberLinkOrigin({ ...base, authUrl: "https://rewards.example/api/auth", emailing: true })).toBe("https://rewards.example");
    expect(() => memberLinkOrigin({ ...base, authUrl: undefined, emailing: true })).toThrow(/AUTH_URL/);
    // Printed on the server console only: the request origin is as good as any.
    expect(memberLinkOrigin({ ...base, authUrl: undefined, emailing: false })).toBe("https://evil.example");
    expect(memberLinkOrigin({ ...base, nodeEnv: "development", authUrl: undefined, emailing: true })).toBe("https://evil.example");
  });
});

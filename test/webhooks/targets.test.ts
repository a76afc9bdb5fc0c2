import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { POST as createEndpoint } from "@/app/api/v1/webhook-endpoints/route";
import { resetEnvCache } from "@/lib/env";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { deliverDueWebhooks } from "@/lib/webhooks/deliver";
import { runStaffForm } from "@/lib/forms/staff-form";
import { createWebhookEndpoint, createWebhookEndpointAsStaff } from "@/lib/webhooks/endpoints";
import { blockedRange, checkWebhookTarget, guardedLookup, type Resolver } from "@/lib/webhooks/target";
import { call, createApiHarness, writtenRows, type ApiHarness } from "../api/api-harness";
import { startReceiver, type Receiver } from "./receiver";

/** The test runs set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 (vitest.config.ts); these tests turn it off. */
function privateTargets(allowed: boolean, nodeEnv?: string) {
  vi.stubEnv("WEBHOOK_ALLOW_PRIVATE_TARGETS", allowed ? "1" : "0");
  if (nodeEnv) vi.stubEnv("NODE_ENV", nodeEnv);
  resetEnvCache();
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

const resolvesTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("refused target ranges", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["169.254.169.254", "cloud metadata"],
    ["100.100.100.200", "cloud metadata"],
    ["fd00:ec2::254", "cloud metadata"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["192.0.2.10", "reserved"],
    ["2001:db8::1", "reserved"],
    // IPv4-mapped IPv6, dotted and hex: judged as the IPv4 address they map.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:a9fe:a9fe", "cloud metadata"],
    ["0:0:0:0:0:ffff:c0a8:0101", "private"],
    // Addresses that carry an IPv4 address inside.
    ["::127.0.0.1", "IPv6 transition"],
    ["64:ff9b::7f00:1", "IPv6 transition"],
    ["2002:7f00:1::", "IPv6 transition"],
    ["[::1]", "loopback"],
  ])("%s is %s", (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.253.255.255", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(blockedRange(address)).toBeNull();
  });
});

describe("checkWebhookTarget (an endpoint's URL, when it is created)", () => {
  beforeEach(() => privateTargets(false));

  it.each([
    ["http://127.0.0.1/h", "127.0.0.1 is a loopback address"],
    // Decimal, hex, octal and short IPv4 forms: the URL parser makes them 127.0.0.1 first.
    ["http://2130706433/h", "127.0.0.1 is a loopback address"],
    ["http://0x7f000001/h", "127.0.0.1 is a loopback address"],
    ["http://0x7f.0.0.1/h", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/h", "127.0.0.1 is a loopback address"],
    ["http://127.1/h", "127.0.0.1 is a loopback address"],
    ["http://0/h", "0.0.0.0 is a unspecified address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
    ["http://[::1]:8080/h", "[::1] is a loopback address"],
    ["http://[::ffff:127.0.0.1]/h", "[::ffff:7f00:1] is a loopback address"],
    ["http://[fe80::1]/h", "[fe80::1] is a link-local address"],
    ["https://10.0.0.5/h", "10.0.0.5 is a private address"],
  ])("refuses %s", async (url, message) => {
    await expect(checkWebhookTarget(url, resolvesTo("93.184.216.34"))).rejects.toThrow(message);
  });

  it("checks every address a host name resolves to", async () => {
    await expect(checkWebhookTarget("https://hooks.shop.example/h", resolvesTo("93.184.216.34"))).resolves.toBeUndefined();
    await expect(checkWebhookTarget("https://hooks.shop.example/h", resolvesTo("93.184.216.34", "10.0.0.7"))).rejects.toThrow(
      "hooks.shop.example resolves to 10.0.0.7, a private address",
    );
    await expect(checkWebhookTarget("https://metadata.internal/h", resolvesTo("169.254.169.254"))).rejects.toThrow("cloud metadata");
    await expect(checkWebhookTarget("https://six.shop.example/h", resolvesTo("::ffff:192.168.0.1"))).rejects.toThrow("private");
    const nowhere: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    await expect(checkWebhookTarget("https://nowhere.shop.example/h", nowhere)).rejects.toThrow("does not resolve");
  });

  it("requires https in production, and allows private targets and http with WEBHOOK_ALLOW_PRIVATE_TARGETS", async () => {
    privateTargets(false, "production");
    await expect(checkWebhookTarget("http://hooks.shop.example/h", resolvesTo("93.184.216.34"))).rejects.toThrow("must use https");
    await expect(checkWebhookTarget("https://hooks.shop.example/h", resolvesTo("93.184.216.34"))).resolves.toBeUndefined();
    privateTargets(true, "production");
    await expect(checkWebhookTarget("http://127.0.0.1:9/h")).resolves.toBeUndefined();
  });

  it("the delivery lookup refuses a name that resolves to a refused address now (DNS rebinding)", async () => {
    let answer = "93.184.216.34";
    const lookup = guardedLookup(async () => [{ address: answer, family: 4 }]);
    const ask = () =>
      new Promise<{ error: Error | null; address: unknown }>((done) =>
        lookup("hooks.shop.example", { all: true }, (error, address) => done({ error, address })),
      );
    expect(await ask()).toEqual({ error: null, address: [{ address: "93.184.216.34", family: 4 }] });
    answer = "127.0.0.1";
    const refused = await ask();
    expect(refused.error?.message).toBe("refused: hooks.shop.example resolves to 127.0.0.1, a loopback address (webhooks go to public hosts only)");
  });
});

describe("refusals at the edges", () => {
  let h: ApiHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await createApiHarness();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it.each(["http://127.0.0.1:8080/h", "http://169.254.169.254/latest", "http://[::ffff:10.0.0.1]/h", "http://2130706433/h", "http://localhost:3000/h"])(
    "POST /api/v1/webhook-endpoints refuses %s with 400 naming url, writing nothing",
    async (url) => {
      privateTargets(false);
      const before = await writtenRows(h.t);
      const refused = await call(createEndpoint, "/api/v1/webhook-endpoints", { key: h.key, method: "POST", body: { url } });
      expect([refused.status, refused.body.error, refused.body.field]).toEqual([400, "validation_failed", "url"]);
      expect(String(refused.body.message)).toMatch(/^url: .*(loopback|metadata|private) address; webhooks go to public hosts only$/);
      expect(await writtenRows(h.t)).toEqual(before);
    },
  );

  it("the admin page's form shows the refusal as the URL field's message; support may not add endpoints", async () => {
    privateTargets(false);
    const add = (roles: ("admin" | "support")[], url: string) =>
      runStaffForm({ id: "staff-1", roles }, { url }, async (actor) => {
        const created = await createWebhookEndpointAsStaff(h.t.db, actor, { url });
        return `added ${created.id}`;
      });
    expect(await add(["admin"], "http://10.0.0.1/hooks")).toEqual({
      status: "error",
      formError: "Please correct the highlighted fields.",
      fieldErrors: { url: ["url: 10.0.0.1 is a private address; webhooks go to public hosts only"] },
      values: { url: "http://10.0.0.1/hooks" },
    });
    expect(await add(["support"], "https://8.8.8.8/hooks")).toMatchObject({ status: "error", formError: "You are not allowed to do this." });
    expect(await add(["admin"], "https://8.8.8.8/hooks")).toMatchObject({ status: "success", message: expect.stringMatching(/^added \d+$/) });
    await h.t.db.execute(sql`DELETE FROM webhook_endpoints WHERE true`);
  });

  it("a delivery to a target that is (or became) private fails at once with the reason, and nothing is sent", async () => {
    // Registered while private targets were allowed; then the setting is off.
    privateTargets(true);
    await createWebhookEndpoint(h.t.db, { url: receiver.url }, "test");
    await createWebhookEndpoint(h.t.db, { url: `http://hooks.rebind.example:${receiver.port}/hooks` }, "test");
    await ensureMember(h.t.db, { externalId: "ssrf-1" });
    await recordEvents(h.t.db, [{ type: "purchase", memberExternalId: "ssrf-1", referenceId: "ssrf-p1", amountCents: 1_000 }], { actor: "test" });
    privateTargets(false);
    // The name resolved to a public address when it was registered; now it answers loopback.
    const round = await deliverDueWebhooks(h.t.db, { resolve: resolvesTo("127.0.0.1") });
    expect(round).toMatchObject({ claimed: 4, delivered: 0, failed: 4 });
    expect(receiver.received).toHaveLength(0);
    const log = await queryRows<{ url: string; status: string; attempts: number; last_response: string }>(
      h.t.db,
      sql`SELECT DISTINCT ep.url, d.status, d.attempts, d.last_response FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id ORDER BY 1`,
    );
    expect(log).toEqual([
      {
        url: receiver.url,
        status: "failed",
        attempts: 1,
        last_response: "refused: 127.0.0.1 is a loopback address (webhooks go to public hosts only)",
      },
      {
        url: `http://hooks.rebind.example:${receiver.port}/hooks`,
        status: "failed",
        attempts: 1,
        last_response: "refused: hooks.rebind.example resolves to 127.0.0.1, a loopback address (webhooks go to public hosts only)",
      },
    ]);
  });
});

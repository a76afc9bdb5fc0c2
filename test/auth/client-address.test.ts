import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, normalizeAddress, PEER_HEADER } from "@/lib/auth/client-address";
import { installPeerAddressHook } from "@/lib/auth/peer-address-hook";

const h = (xff?: string, peer?: string) => {
  const headers = new Headers();
  if (xff !== undefined) headers.set("x-forwarded-for", xff);
  if (peer !== undefined) headers.set(PEER_HEADER, peer);
  return headers;
};

describe("clientAddress", () => {
  it("with no trusted proxy, the socket's address wins over anything the client wrote", () => {
    expect(clientAddress(h("6.6.6.6, 203.0.113.9", "203.0.113.9"), { hops: 0, proxies: [] }, true)).toBe("203.0.113.9");
    expect(clientAddress(h("6.6.6.6", "203.0.113.9"), { hops: 0, proxies: [] }, true)).toBe("203.0.113.9");
    expect(clientAddress(h(undefined, "::ffff:127.0.0.2"), { hops: 0, proxies: [] }, true)).toBe("127.0.0.2");
  });

  it("a peer header is ignored unless the hook that overwrites it is installed", () => {
    // Without the hook (another runtime) the chain is Next.js's header; its last hop is the nearest.
    expect(clientAddress(h("203.0.113.9", "6.6.6.6"), { hops: 0, proxies: [] }, false)).toBe("203.0.113.9");
  });

  it("TRUSTED_PROXY_HOPS=N takes the address the outermost trusted proxy saw", () => {
    // client → edge (appends client) → nginx (appends edge) → app socket = nginx
    const chain = h("6.6.6.6, 198.51.100.5, 10.0.0.2, 10.0.0.3", "10.0.0.3");
    expect(clientAddress(chain, { hops: 1, proxies: [] }, true)).toBe("10.0.0.2");
    expect(clientAddress(chain, { hops: 2, proxies: [] }, true)).toBe("198.51.100.5");
    // A forged leftmost hop never wins while the chain is long enough.
    expect(clientAddress(chain, { hops: 3, proxies: [] }, true)).toBe("6.6.6.6");
    expect(clientAddress(h("", "10.0.0.3"), { hops: 2, proxies: [] }, true)).toBe("10.0.0.3");
  });

  it("TRUSTED_PROXIES skips our own proxies from the right, whatever their number", () => {
    const trust = { hops: 0, proxies: ["10.0.0.2", "10.0.0.3"] };
    expect(clientAddress(h("6.6.6.6, 198.51.100.5, 10.0.0.2, 10.0.0.3", "10.0.0.3"), trust, true)).toBe("198.51.100.5");
    expect(clientAddress(h("198.51.100.5, 10.0.0.3", "10.0.0.3"), trust, true)).toBe("198.51.100.5");
    // A socket that is not one of our proxies is the client, whatever it forwards.
    expect(clientAddress(h("10.0.0.2, 198.51.100.5", "198.51.100.5"), trust, true)).toBe("198.51.100.5");
  });

  it("normalizes addresses and never passes junk through", () => {
    expect(normalizeAddress("::FFFF:10.1.2.3")).toBe("10.1.2.3");
    expect(normalizeAddress("[2001:DB8::1]")).toBe("2001:db8::1");
    expect(normalizeAddress("<script>")).toBe("invalid:<script>");
    expect(clientAddress(new Headers(), { hops: 0, proxies: [] }, true)).toBe("unknown");
  });
});

describe("peer address hook on a real Node server", () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    installPeerAddressHook();
    server = http.createServer((req, res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      res.end(JSON.stringify({ address: clientAddress(headers), xff: req.headers["x-forwarded-for"] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (localAddress: string, headers: Record<string, string>) =>
    new Promise<{ address: string; xff: string }>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, localAddress, headers }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve(JSON.parse(body)));
        })
        .on("error", reject);
    });

  it("sees the socket's address from 127.0.0.2 and 127.0.0.1, whatever X-Forwarded-For and x-loyalty-peer claim", async () => {
    expect(await get("127.0.0.2", {})).toEqual({ address: "127.0.0.2", xff: "127.0.0.2" });
    expect(await get("127.0.0.2", { "x-forwarded-for": "6.6.6.6", [PEER_HEADER]: "6.6.6.6" })).toEqual({
      address: "127.0.0.2",
      xff: "6.6.6.6, 127.0.0.2",
    });
    expect((await get("127.0.0.1", { "x-forwarded-for": "127.0.0.2" })).address).toBe("127.0.0.1");
  });
});

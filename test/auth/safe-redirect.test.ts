import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";

/** Where a browser would go: resolve the value as a Location header against our origin. */
const browserTarget = (location: string) => new URL(location, "https://rewards.example.com");

describe("safeRedirectPath", () => {
  it.each([
    ["/history?type=earn", "/history?type=earn"],
    ["/staff/members/42#lots", "/staff/members/42#lots"],
    ["/redeem?x=%2F%2Fevil.example", "/redeem?x=%2F%2Fevil.example"],
    ["/a/../staff", "/staff"],
  ])("keeps the same-site path %j", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%252F%252Fevil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " /history",
    "/\u0000x",
    "data:text/html,<script>alert(1)</script>",
    "",
    "evil.example",
    "/" + "a".repeat(600),
  ])("refuses %j", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it.each([undefined, null, 42, ["/history"], { href: "/" }])("refuses the non-string %j", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it("the issue's attack: /sign-in?callbackUrl=/%09/evil.example, as Next.js decodes it", () => {
    const callbackUrl = new URL("https://rewards.example.com/sign-in?callbackUrl=/%09/evil.example").searchParams.get("callbackUrl");
    expect(callbackUrl).toBe("/\t/evil.example");
    expect(browserTarget(callbackUrl!).host).toBe("evil.example"); // what the old check let through
    expect(safeRedirectPath(callbackUrl)).toBe("/");
  });

  it("whatever the input, the browser stays on our origin", () => {
    const piece = fc.constantFrom("/", "\\", "\t", "\n", "%2F", "%5C", "%09", "evil.example", "@", ":", "javascript:", "%", "?", "#", ".", "..", "a");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const result = safeRedirectPath(parts.join(""));
        expect(browserTarget(result).origin).toBe("https://rewards.example.com");
        // And once more, as a path a server might decode before redirecting again.
        let decoded = result;
        try {
          decoded = decodeURIComponent(result);
        } catch {
          // not decodable: a browser keeps it as it is
        }
        expect(browserTarget(decoded.replace(/[\t\n\r]/g, "")).origin).toBe("https://rewards.example.com");
      }),
      { numRuns: 2000 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { isPrivateAddress, parseWebhookUrl } from "@/lib/webhooks/target";
import { signature } from "@/lib/webhooks/sign";

describe("webhook targets", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.255.254", true],
    ["10.0.0.1", true],
    ["172.16.5.4", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.0.1", true],
    ["169.254.169.254", true],
    ["100.64.1.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["255.255.255.255", true],
    ["8.8.8.8", false],
    ["93.184.216.34", false],
    ["::1", true],
    ["::", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:10.0.0.1", true],
    ["::ffff:8.8.8.8", false],
    ["fd12:3456::1", true],
    ["fe80::1", true],
    ["ff02::1", true],
    ["64:ff9b::a00:1", true],
    ["2606:4700:4700::1111", false],
    ["not-an-address", true],
  ])("%s is private: %s", (address, privateOrSpecial) => {
    expect(isPrivateAddress(address)).toBe(privateOrSpecial);
  });

  it("takes http and https URLs with a host and no credentials", () => {
    expect(parseWebhookUrl("https://hooks.example.com/x?y=1").host).toBe("hooks.example.com");
    expect(() => parseWebhookUrl("gopher://example.com/")).toThrow(/must be http or https/);
    expect(() => parseWebhookUrl("https://a:b@example.com/")).toThrow(/user name or password/);
    expect(() => parseWebhookUrl("example.com/hook")).toThrow(/is not a URL/);
  });
});

describe("the delivery signature", () => {
  it("is the hex HMAC-SHA256 of the body with the secret (RFC 4231 test case 2)", () => {
    expect(signature("Jefe", "what do ya want for nothing?")).toBe("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
});

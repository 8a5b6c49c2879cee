import dns from "node:dns";
import net from "node:net";

/**
 * Where a webhook may point. Server-side request forgery is the risk: a URL naming the machine
 * itself, its cloud metadata service (169.254.169.254) or a private network would let whoever
 * can create a webhook reach inside. So the host is RESOLVED and every address it resolves to is
 * checked (a public-looking name may resolve to 10.0.0.5), and the delivery connects only to an
 * address that passed the check (the check runs in the connection's own DNS lookup, so a name
 * that re-resolves elsewhere after creation, DNS rebinding, is caught at delivery). Private,
 * loopback, link-local and other special-purpose addresses are refused unless
 * TIDECAST_WEBHOOK_ALLOW_PRIVATE=1. Redirects are never followed (lib/webhooks/deliver.ts).
 */
const BLOCKED = new net.BlockList();
for (const [net4, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(net4, bits, "ipv4");
for (const [net6, bits] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64: may embed any IPv4 address
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 32], // Teredo
  ["2001:db8::", 32],
  ["2002::", 16], // 6to4: embeds an IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10],
  ["ff00::", 8], // multicast
] as const)
  BLOCKED.addSubnet(net6, bits, "ipv6");

export function allowPrivateTargets(env: Record<string, string | undefined> = process.env): boolean {
  return env.TIDECAST_WEBHOOK_ALLOW_PRIVATE === "1";
}

/** Whether an IP address is private, loopback or otherwise not a public internet address (IPv4-mapped IPv6 checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return BLOCKED.check(address, family === 4 ? "ipv4" : "ipv6");
}

export class WebhookTargetError extends Error {
  constructor(
    readonly code: "WEBHOOK_URL_INVALID" | "WEBHOOK_TARGET_PRIVATE" | "WEBHOOK_TARGET_UNRESOLVED",
    message: string,
  ) {
    super(message);
    this.name = "WebhookTargetError";
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Parses and checks the form of a webhook URL: http or https, a host, no credentials. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError("WEBHOOK_URL_INVALID", `"${raw}" is not a URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new WebhookTargetError("WEBHOOK_URL_INVALID", `A webhook URL must be http or https, not ${url.protocol.replace(/:$/, "")}.`);
  if (url.username || url.password) throw new WebhookTargetError("WEBHOOK_URL_INVALID", "A webhook URL must not carry a user name or password; sign with the secret instead.");
  if (!url.hostname) throw new WebhookTargetError("WEBHOOK_URL_INVALID", "The webhook URL has no host.");
  return url;
}

type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function refusePrivate(host: string, addresses: string[]): void {
  const bad = addresses.filter(isPrivateAddress);
  if (bad.length === 0) return;
  const via = bad.length === 1 && bad[0] === host ? "" : ` (it resolves to ${bad.join(", ")})`;
  throw new WebhookTargetError(
    "WEBHOOK_TARGET_PRIVATE",
    `The webhook target ${host}${via} is a private, loopback or link-local address; set TIDECAST_WEBHOOK_ALLOW_PRIVATE=1 to allow it.`,
  );
}

/** Every address the host resolves to, after checking each (an IP literal resolves to itself). */
export async function resolveTarget(url: URL, options: { allowPrivate?: boolean; lookup?: Lookup } = {}): Promise<{ address: string; family: number }[]> {
  const host = hostOf(url);
  const allowPrivate = options.allowPrivate ?? allowPrivateTargets();
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch (err) {
      throw new WebhookTargetError("WEBHOOK_TARGET_UNRESOLVED", `The webhook host ${host} does not resolve: ${(err as Error).message}`);
    }
    if (addresses.length === 0) throw new WebhookTargetError("WEBHOOK_TARGET_UNRESOLVED", `The webhook host ${host} has no address.`);
  }
  if (!allowPrivate) refusePrivate(host, addresses.map((a) => a.address));
  return addresses;
}

/**
 * A `lookup` for http.request that connects only to checked addresses: it resolves the name,
 * refuses the connection when any address is private (unless allowed), and hands the addresses
 * it checked to the socket, so no second, unchecked resolution happens.
 */
export function checkedLookup(options: { allowPrivate?: boolean; lookup?: Lookup } = {}): net.LookupFunction {
  return (hostname, opts, callback) => {
    resolveTarget(new URL(`http://${net.isIP(hostname) === 6 ? `[${hostname}]` : hostname}/`), options).then(
      (addresses) => {
        const wanted = opts.family === 4 || opts.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
        const list = wanted.length > 0 ? wanted : addresses;
        if (opts.all) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, list[0].address, list[0].family);
      },
      (err: Error) => callback(Object.assign(err, { code: (err as WebhookTargetError).code ?? "ENOTFOUND" }) as NodeJS.ErrnoException, "", 0),
    );
  };
}

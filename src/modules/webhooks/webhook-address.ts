import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { badInput } from '../../server/errors';
import type { FieldCheck } from '../common/input-checks';

/**
 * Where a webhook may point. Unless the operator allows private addresses
 * (WEBHOOK_ALLOW_PRIVATE=true), the URL must be https and its host must not be, nor resolve
 * to, an address of the service's own network: loopback, private, link-local, unique-local,
 * multicast, unspecified, and the other special-purpose ranges (IPv4-mapped IPv6 addresses
 * are judged as the IPv4 address they hold). The check runs when the webhook is made and
 * again on every connection, through the lookup of the sender's agents: the connection goes
 * to the address that was checked, so a name that resolves elsewhere later (DNS rebinding)
 * reaches nothing private.
 */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b::', 96], // NAT64: an IPv4 address inside
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo among them)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6, mapped ones included) is a public unicast one. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's host as an address or a name (brackets of an IPv6 literal taken off). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** The form of a webhook URL: absolute http(s), no credentials, no fragment, bounded. */
export const webhookUrl = (): FieldCheck => (value, field) => {
  if (typeof value !== 'string') throw badInput(field, `${field} must be a string`);
  const text = value.trim();
  if (text.length > 2000) throw badInput(field, `${field} must be at most 2000 characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(field, `${field} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(field, `${field} must be an https URL`);
  if (url.username || url.password) throw badInput(field, `${field} must not hold a user name or password`);
  url.hash = '';
  return url.toString();
};

/**
 * Why a URL may not be used, or null when it may: the scheme, then every address its host is
 * or resolves to. A name that does not resolve is refused too (nothing could be delivered).
 */
export async function refusalOf(rawUrl: string, allowPrivate: boolean): Promise<string | null> {
  const url = new URL(rawUrl);
  if (allowPrivate) return null;
  if (url.protocol !== 'https:') return 'must be an https URL';
  const host = hostOf(url);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolveAll(host)).map((a) => a.address);
    } catch {
      return `its host ${host} does not resolve`;
    }
  }
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad === undefined ? null : `its host must be a public address (${host} is ${bad})`;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

export class PrivateAddressError extends Error {
  readonly code = 'EWEBHOOKPRIVATE';
}

/**
 * The lookup of the sender's agents: the system's, refusing names that resolve to any address
 * that is not public. The socket connects to the addresses answered here, the ones checked.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return (callback as (e: Error) => void)(error);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) return (callback as (e: Error) => void)(new PrivateAddressError(`${hostname} resolves to ${bad.address}, which is not a public address`));
    if ((options as LookupOptions).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
  });
};

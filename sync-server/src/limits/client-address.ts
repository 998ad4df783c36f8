/**
 * The key a client's address is limited by. One IPv6 subscriber usually holds a whole /64 and can
 * pick a new address in it for every request, so IPv6 addresses count by their /64; IPv4 (also
 * written as IPv4-mapped IPv6) counts by the address.
 */
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

export function clientAddressKey(req: Request): string {
  const raw = req.ip ?? '';
  if (!ipaddr.isValid(raw)) return raw || 'unknown';
  const address = ipaddr.process(raw);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}

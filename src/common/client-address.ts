import { isIP, isIPv6 } from 'node:net';

/**
 * The client an IP address stands for, as limits count clients: an IPv4 address as it is (an
 * IPv4-mapped IPv6 one too), an IPv6 address as its /64 (a client usually holds a whole /64).
 * Undefined for anything that is not an IP address, so that a client-written string never
 * becomes a key.
 */
export function clientOf(ip: string | undefined): string | undefined {
  if (ip === undefined || !isIP(ip)) return undefined;
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

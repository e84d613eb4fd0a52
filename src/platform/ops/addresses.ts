import { BlockList, isIP } from 'node:net';

/** The ranges behind the names TRUST_PROXY and METRICS_ALLOW accept, as Fastify's proxy-addr reads them. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Whether an address is in a list of addresses, CIDR ranges and range names (already checked by the config
 * loader). IPv4 addresses seen through an IPv6 socket (`::ffff:10.0.0.5`) are matched as IPv4.
 */
export function addressMatcher(list: readonly string[]): (address: string) => boolean {
  if (list.length === 0) return () => false;
  const block = new BlockList();
  for (const item of list.flatMap((i) => NAMED[i] ?? [i])) {
    const [addr, bits] = item.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(addr, type);
    else block.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    if (family === 0) return false;
    return block.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

// Where NodeIP / PodIP and their …With forms get addresses. kwok hands pod IPs out of a pool per
// node CIDR and gives every node its own configured IP; kemu needs neither a pool nor real
// networking, only addresses that are distinct, stable for one object, and the same from run
// to run, so a counter per CIDR does it.

/** Which pod an address is for, as PodIPWith's arguments name it. */
export interface PodAddressKey {
  readonly nodeName: string;
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
}

export interface AddressSource {
  /** The node's addresses (one per IP family; kemu's are single-stack). */
  nodeIPs(nodeName: string): readonly string[];
  /** The pod's addresses; the same pod gets the same addresses on every call. */
  podIPs(pod: PodAddressKey): readonly string[];
}

export interface SequentialAddressOptions {
  /** Default 172.16.0.0/12, away from the pod range. */
  readonly nodeCIDR?: string;
  /** Default 10.0.0.0/8. */
  readonly podCIDR?: string;
}

interface Range {
  readonly base: number;
  readonly hosts: number;
}

function parseCIDR(cidr: string): Range {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const bits = m ? Number(m[5]) : NaN;
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || bits < 1 || bits > 30 || octets.some((o) => o > 255)) throw new Error(`not an IPv4 CIDR with room for hosts: ${cidr}`);
  const size = 2 ** (32 - bits);
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  return { base: addr - (addr % size), hosts: size - 2 };
}

function format(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

class Counter {
  private readonly given = new Map<string, string>();
  private next = 0;

  constructor(private readonly range: Range) {}

  get(key: string): string {
    let ip = this.given.get(key);
    if (ip === undefined) {
      // Past the end of the range addresses repeat; 2^20 nodes or 2^24 pods are beyond any run.
      ip = format(this.range.base + 1 + (this.next++ % this.range.hosts));
      this.given.set(key, ip);
    }
    return ip;
  }
}

/**
 * Addresses handed out in order of first request: the n-th node named gets the n-th host of
 * the node CIDR, pods likewise from the pod CIDR (keyed by uid, else namespace/name).
 */
export function sequentialAddresses(opts: SequentialAddressOptions = {}): AddressSource {
  const nodes = new Counter(parseCIDR(opts.nodeCIDR ?? '172.16.0.0/12'));
  const pods = new Counter(parseCIDR(opts.podCIDR ?? '10.0.0.0/8'));
  return {
    nodeIPs: (nodeName) => [nodes.get(nodeName)],
    podIPs: (p) => [pods.get(p.uid || `${p.namespace}/${p.name}`)],
  };
}

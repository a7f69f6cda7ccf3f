/** What a host said about a virtual IP: held (on which devices), absent, or unknown. */

export interface VipHolding {
  host: string;
  kind: 'held' | 'absent' | 'unknown';
  /** Devices that carry the address, when held. */
  devices: string[];
  /** Why the holding is unknown (unreachable host, `ip` failed). */
  reason?: string;
}

/** What the VIP of one process looked like after the last pass; kept in the process state. */
export interface VipRecord {
  address: string;
  /** Hosts seen holding the address. */
  holders: string[];
  /** Hosts that could not be checked, with why. */
  unknown: Array<{ host: string; reason: string }>;
  /** The host that should hold it, or null when nobody should (or ha-valet leaves it alone). */
  expectedHost: string | null;
  /** What is wrong and could not be mended this pass, or null. */
  problem: string | null;
  at: number;
}

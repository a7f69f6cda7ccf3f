/** What a host said about a virtual IP: held (on which devices), absent, or unknown. */

export interface VipHolding {
  host: string;
  kind: 'held' | 'absent' | 'unknown';
  /** Devices that carry the address, when held. */
  devices: string[];
  /** Why the holding is unknown (unreachable host, `ip` failed). */
  reason?: string;
}

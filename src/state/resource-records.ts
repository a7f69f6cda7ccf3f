/** What the last pass did with a process's resources (VIP, hosts-file line); kept in its state for status. */

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

/** What the last pass did to the clients' hosts-file line. */
export interface HostsEntryRecord {
  name: string;
  /** The address every client should point the name at (the active host). */
  address: string;
  /** Clients that could not be updated, with why (retried next pass). */
  failed: Array<{ host: string; reason: string }>;
  at: number;
}

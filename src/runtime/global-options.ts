/** The options every command shares (set on the program, read by every command's runtime). */
export interface GlobalOptions {
  config?: string;
  define?: string[];
  logLevel?: string;
  logFormat?: string;
  logFile?: string;
  /** --trust-check enforce|warn|off (else $HA_VALET_TRUST_CHECK). */
  trustCheck?: string;
}

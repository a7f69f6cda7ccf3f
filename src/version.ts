/** ha-valet's version, as in package.json (a test keeps the two equal): what `ha-valet --version` prints. */
export const VERSION = '0.1.0';

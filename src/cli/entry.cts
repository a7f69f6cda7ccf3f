/**
 * The program bin/ha-valet runs (and tests run as "the CLI"): loads the CLI
 * the fastest way this build offers (see load-cli.cts) and runs it.
 * CommonJS, so a start needs no ES module loader when the bundle is there.
 */
import { loadCli } from './load-cli.cjs';

void loadCli().then(async (cli) => {
  process.exitCode = await cli.runCli(process.argv);
  cli.refreshCache();
});

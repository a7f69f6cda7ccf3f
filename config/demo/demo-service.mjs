#!/usr/bin/env node
// A tiny TCP service for the ha-valet demo and tests: one "host" is one loopback address.
//   demo-service.mjs start HOST PORT   daemonize a server on HOST:PORT (exit 1 if it cannot listen)
//   demo-service.mjs stop HOST PORT    stop the server started for HOST:PORT (by its PID file)
//   demo-service.mjs serve HOST PORT   run the server in the foreground
// State (PID files, "broken" markers) lives in $HA_VALET_DEMO_DIR (default /tmp/ha-valet-demo).
// A file named broken-HOST in that dir makes `start` on HOST fail, to show a failover.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [verb, host, portText] = process.argv.slice(2);
const port = Number(portText);
const dir = process.env.HA_VALET_DEMO_DIR || '/tmp/ha-valet-demo';
const pidFile = path.join(dir, `service-${host}-${port}.pid`);

/** Resolves true when something accepts connections on host:port. */
function probe() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** Serves "ok HOST" to every connection until killed. */
function serve() {
  const server = net.createServer((socket) => {
    // A client that hangs up early resets the connection; that must not end the service.
    socket.on('error', () => {});
    socket.end(`ok ${host}\n`);
  });
  server.on('error', (error) => {
    process.stderr.write(`demo-service: cannot listen on ${host}:${port}: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, host);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Starts a detached server and waits until it accepts connections. */
async function start() {
  mkdirSync(dir, { recursive: true });
  if (existsSync(path.join(dir, `broken-${host}`))) {
    process.stderr.write(`demo-service: ${host} is marked broken (${dir}/broken-${host})\n`);
    process.exit(1);
  }
  if (await probe()) {
    process.stderr.write(`demo-service: ${host}:${port} is already in use\n`);
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [self, 'serve', host, String(port)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  for (let i = 0; i < 50; i++) {
    if (await probe()) process.exit(0);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`demo-service: ${host}:${port} did not come up\n`);
  process.exit(1);
}

/** True when `pid` is still our server for host:port (guards against a reused PID). */
function isOurServer(pid) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('serve') && cmdline.includes(host) && cmdline.includes(String(port));
  } catch {
    return false;
  }
}

/** Stops the server of host:port by its PID file. */
function stop() {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (Number.isInteger(pid) && pid > 0 && isOurServer(pid)) process.kill(pid, 'SIGTERM');
  rmSync(pidFile, { force: true });
}

if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: demo-service.mjs start|stop|serve HOST PORT\n');
  process.exit(2);
}
if (verb === 'serve') serve();
else if (verb === 'start') await start();
else if (verb === 'stop') stop();
else {
  process.stderr.write(`demo-service: unknown verb ${verb}\n`);
  process.exit(2);
}

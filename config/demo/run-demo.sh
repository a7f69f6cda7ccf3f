#!/usr/bin/env bash
# The ha-valet demo: two services on two simulated hosts (127.0.0.2 preferred,
# 127.0.0.3 stand-by). Watch a restart, a failover and a split brain being healed.
set -u
cd "$(dirname "$0")/../.."
export HA_VALET_DEMO_DIR=${HA_VALET_DEMO_DIR:-/tmp/ha-valet-demo}
cfg=config/demo.cfg
hv() { echo "\$ ha-valet $*"; node bin/ha-valet -c "$cfg" --log-level warn "$@"; echo "  (exit $?)"; echo; }
service() { node config/demo/demo-service.mjs "$@"; }
pid_of() { cat "$HA_VALET_DEMO_DIR/service-$1-$2.pid" 2>/dev/null; }
step() { printf '\n=== %s\n' "$*"; }

# Start from a clean slate: stop anything a previous demo left running.
for host in 127.0.0.2 127.0.0.3; do for port in 18090 18091; do service stop $host $port; done; done
rm -rf "$HA_VALET_DEMO_DIR/state" "$HA_VALET_DEMO_DIR"/broken-*

step "The config: each process, its hosts in preference order, the commands ha-valet will run"
hv validate --explain | head -12

step "First pass: nothing runs yet, so ha-valet starts each service on its preferred host"
hv

step "Second pass: everything is up, nothing to do (exit 0)"
hv

step "Kill Ostro's instance on 127.0.0.2 with SIGKILL; the next pass restarts it there"
kill -9 "$(pid_of 127.0.0.2 18091)" && echo "killed pid, Ostro is down"
hv -p Ostro

step "127.0.0.2 breaks (its start now fails) and Ostro dies again: the pass fails over to 127.0.0.3"
touch "$HA_VALET_DEMO_DIR/broken-127.0.0.2"
kill -9 "$(pid_of 127.0.0.2 18091)"
hv -p Ostro

step "127.0.0.2 is repaired and someone starts Ostro there by hand: split brain, the priority-2 instance is stopped"
rm -f "$HA_VALET_DEMO_DIR/broken-127.0.0.2"
service start 127.0.0.2 18091 && echo "started a second Ostro on 127.0.0.2 by hand"
hv -p Ostro

step "The journal of what happened"
hv history -p Ostro

step "Clean up: stop the demo services"
for host in 127.0.0.2 127.0.0.3; do for port in 18090 18091; do service stop $host $port; done; done
echo "done."

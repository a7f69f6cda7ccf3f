#!/usr/bin/env bash
# One host of the fault soak: host.sh VERB HOST PORT RANK, VERB = test | start | stop.
# The soak injects faults as files $SIDE/faults/HOST/KIND.ID (one per fault, so overlapping faults
# of one kind end independently); this script reads them on every command, so both supervisors of
# a run meet the same fault. $SIDE is this script's directory; env.sh there names node and the
# demo service. test exits with the host's RANK when the service greets, 0 when it does not.
set -u
verb=$1 host=$2 port=$3 rank=$4
side=$(dirname "$0")
. "$side/env.sh"
faults=$side/faults/$host
has() { compgen -G "$faults/$1.*" >/dev/null; }
case $verb in
  test)
    while has hang; do sleep 0.2; done # a hung host: the test never answers while the fault lasts
    has unreachable && exit 255
    { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null && read -r -t 2 reply <&3 && [ "$reply" = "ok $host" ] && exit "$rank"
    exit 0
    ;;
  start)
    if has startfail; then
      echo "fault-soak: start on $host disabled by an injected fault" >&2
      exit 1
    fi
    HA_VALET_DEMO_DIR=$side/demo exec "$NODE" "$DEMO" start "$host" "$port"
    ;;
  stop) HA_VALET_DEMO_DIR=$side/demo exec "$NODE" "$DEMO" stop "$host" "$port" ;;
  *)
    echo "usage: host.sh test|start|stop HOST PORT RANK" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The naive supervisor the fault soak compares ha-valet with: every second, test every host (all at
# once, 3 s timeout); if no instance is up, start on the first host, in order, whose test answered
# and whose start works; stop every instance but the first. Ends when the file STOP exists.
# usage: naive-loop.sh HOST_SCRIPT PORT STOP HOST...   (SSH_PORT, SSH_USER, SSH_KEY, SSH_KNOWN_HOSTS set: over ssh)
set -u
script=$1 port=$2 stop=$3
shift 3
hosts=("$@")
on() { # HOST VERB RANK TIMEOUT: run the host script for HOST, on HOST itself when over ssh
  if [ -n "${SSH_PORT:-}" ]; then
    timeout "$4" ssh -n -p "$SSH_PORT" -i "$SSH_KEY" -o UserKnownHostsFile="$SSH_KNOWN_HOSTS" \
      -o BatchMode=yes -o ConnectTimeout=3 "$SSH_USER@$1" "bash $script $2 $1 $port $3"
  else timeout "$4" bash "$script" "$2" "$1" "$port" "$3"; fi
}
while [ ! -e "$stop" ]; do
  for i in "${!hosts[@]}"; do (on "${hosts[$i]}" test $((i + 1)) 3 >/dev/null 2>&1; echo $? >"$stop.rc$i") & done
  wait
  up=() works=()
  for i in "${!hosts[@]}"; do
    rc=$(<"$stop.rc$i")
    if ((rc >= 1 && rc <= ${#hosts[@]})); then up+=("$i"); elif ((rc == 0)); then works+=("$i"); fi
  done
  if ((${#up[@]} == 0)); then
    for i in "${works[@]}"; do on "${hosts[$i]}" start $((i + 1)) 5 && break; done
  fi
  for i in "${up[@]:1}"; do on "${hosts[$i]}" stop $((i + 1)) 5; done
  sleep 1
done

#!/usr/bin/env bash
# NATS with JetStream on 127.0.0.1:4222 for roomkit-nats' tests: start one when nothing listens
# there (installing Debian's nats-server if it is missing). Under CI=true an unreachable NATS
# fails those tests, so this runs before `make test`.
set -euo pipefail
listening() { (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; }
listening && exit 0
if ! command -v nats-server >/dev/null; then
  apt-get update -qq && apt-get install -y --no-install-recommends nats-server
fi
store="$(mktemp -d)"
nohup nats-server -js -a 127.0.0.1 -p 4222 -sd "$store" >"$store/nats-server.log" 2>&1 &
for _ in $(seq 100); do listening && exit 0; sleep 0.1; done
echo "nats-server did not start; see $store/nats-server.log" >&2
exit 1

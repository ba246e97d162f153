#!/bin/sh
# Runs the Temporal time-skipping test server with its clock starting at a chosen instant, so workflow tests can use
# real calendar dates (deadlines in 2026) whatever today is. test/support/time-skipping.ts hands this script to the
# SDK as the server "executable"; the SDK starts it as `<script> <port>` and passes on its own environment:
#   TEMPORAL_FAKETIME_SERVER  the real temporal-test-server binary
#   TEMPORAL_FAKETIME_START   UTC start instant, "YYYY-MM-DD HH:MM:SS"
#   TEMPORAL_FAKETIME_LIB     libfaketime.so.1 (optional: looked up in the usual places)
# libfaketime is preloaded directly rather than through the `faketime` command, because that command forks and
# waits: the SDK's kill at teardown would hit it and leave the server running. With exec the server keeps this PID.
set -eu

: "${TEMPORAL_FAKETIME_SERVER:?set TEMPORAL_FAKETIME_SERVER to the temporal-test-server binary}"
: "${TEMPORAL_FAKETIME_START:?set TEMPORAL_FAKETIME_START to a UTC instant, YYYY-MM-DD HH:MM:SS}"

lib="${TEMPORAL_FAKETIME_LIB:-}"
if [ -z "$lib" ]; then
  for candidate in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
    if [ -f "$candidate" ]; then lib="$candidate"; break; fi
  done
fi
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
  echo "faketime-test-server.sh: libfaketime not found; install it with: apt-get install faketime" >&2
  exit 127
fi

export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
export FAKETIME="@$TEMPORAL_FAKETIME_START"
# FAKETIME's absolute instants are read in local time; the start instant is given in UTC.
export TZ=UTC
exec "$TEMPORAL_FAKETIME_SERVER" "$@"

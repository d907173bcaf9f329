#!/usr/bin/env bash
# Deploy benchmarks (needs root: the devices are real sshd/dropbear in namespaces, as in the tests).
#   bench/deploy/run.sh            all: 50 MB upload vs OpenSSH scp, exec vs SFTP, compression cut-off
#   bench/deploy/run.sh upload     only the 50 MB uploads
#   bench/deploy/run.sh gzip       only the compression measurements on throttled links
#   bench/deploy/run.sh figure-upload RUNS OUT.json   bench/run.py's figure 3 (samples as JSON)
#   bench/deploy/run.sh figure-slow-link RUNS OUT.json A B, figure-fleet RUNS OUT.json: bench/run.py's
#     figures "slow-link" and "fleet", run in the network namespace CROSSBOARD_BENCH_NETNS names
#     (run.py makes it and its tc netem; built here first, outside it).
# Prints markdown tables; results.md beside this script holds a recorded run.
# Published ReadyToRun, as build.sh publishes the build host: the code measured is compiled the
# same way it is when users run it (a JIT's first, unoptimised tier would slow the SSH handshake).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/bench/deploy/bin/r2r"
log="$(mktemp "${TMPDIR:-/tmp}/crossboard-bench-build.XXXXXX.log")"
if ! dotnet publish "$root/bench/deploy/DeployBench.csproj" -c Release --nologo -v quiet --use-current-runtime --self-contained false \
    -p:PublishReadyToRun=true --artifacts-path "$root/bench/deploy/bin/.artifacts" -o "$out" >"$log" 2>&1; then
  grep -E 'error' "$log" | sort -u | head -20 >&2 || true
  echo "bench/deploy/run.sh: building the benchmark failed; full log: $log" >&2
  exit 1
fi
rm -f "$log"
if [ -n "${CROSSBOARD_BENCH_NETNS:-}" ]; then
  exec ip netns exec "$CROSSBOARD_BENCH_NETNS" dotnet "$out/DeployBench.dll" "$@"
fi
exec dotnet "$out/DeployBench.dll" "$@"

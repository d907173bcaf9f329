#!/usr/bin/env bash
# Deploy benchmarks (needs root: the devices are real sshd/dropbear in namespaces, as in the tests).
#   bench/deploy/run.sh            all: 50 MB upload vs OpenSSH scp, exec vs SFTP, compression cut-off
#   bench/deploy/run.sh upload     only the 50 MB uploads
#   bench/deploy/run.sh gzip       only the compression measurements on throttled links
# Prints markdown tables; results.md beside this script holds a recorded run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec dotnet run -c Release --project "$root/bench/deploy/DeployBench.csproj" -- "$@"

#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine: installs the test peers
# (the reference nats-server, the C client, Node.js for nats.js, chromium, Prometheus) when missing, builds
# (warnings are errors), checks the formatting (dotnet format), runs all test projects, and prints the
# totals as one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
[ -f /usr/include/nats/nats.h ] || need+=(libnats-dev)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# Debian's chromium for the WebSocket plugin's browser tests (driven by Playwright, no browser download).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Debian's mosquitto clients (mosquitto_pub/mosquitto_sub): a second real MQTT peer for the MQTT plugin's tests.
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
# Debian's Prometheus (prometheus and promtool) for the /metrics tests.
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Warnings are errors (Directory.Build.props), code style included (.editorconfig).
dotnet build Plugins.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
# The plugins the Host tests load (tests/PluginAssets and the HtpasswdAuth sample), built here once, before the
# test projects run in parallel, so that no test waits on a build of its own (a loaded machine made that slow).
dotnet build tests/PluginAssets/PluginAssets.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
export NATS_TEST_PLUGIN_ASSETS_BUILT=1
# The formatting and style the .editorconfig sets; `dotnet format Plugins.sln` fixes a violation.
dotnet format Plugins.sln --verify-no-changes --no-restore -v q || { echo "dotnet format found violations (fix: dotnet format Plugins.sln)"; echo "0 passed, 1 failed"; exit 1; }
# The host is started by end-to-end and interop tests from its Release build.
log=$(mktemp)
dotnet test Plugins.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per test project.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the run itself broke (a crashed test host, say)
fi
rm -f "$log"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]

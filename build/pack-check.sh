#!/usr/bin/env bash
# Packs every package (packages.slnf) into a local feed, installs the nats-server tool from that
# feed into a clean folder and runs it: a client's CONNECT and PING must get a PONG. Leaves in
# <work>: feed/ (the packages), NuGet.config (that feed first, then nuget.org; a package cache of
# its own so a re-pack of the same version is never shadowed by a stale copy), tool/nats-server.
# See docs/packages.md. tests/Nats.Packaging.Tests runs it, then builds on what it leaves.
#
#   build/pack-check.sh [--work dir] [--no-build] [-c Release]
#
# --no-build packs what the last `dotnet build Plugins.sln -c <configuration>` produced.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

work=""
configuration="Release"
build_flag=()
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="${2:?--work needs a directory}"; shift 2 ;;
    --no-build) build_flag=(--no-build); shift ;;
    -c|--configuration) configuration="${2:?-c needs a configuration}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "pack-check.sh: unknown argument: $1" >&2; usage ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
rm -rf "$work/feed" "$work/tool" "$work/packages"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)"
shared_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

step() { echo "pack-check: $*"; }

step "packing version $version into $work/feed"
dotnet pack "$root/packages.slnf" -c "$configuration" "${build_flag[@]}" -o "$work/feed" -nologo -v q

# Packages resolve from the feed first; third-party ones from the machine's cache when it has
# them (a fallback folder: nothing is downloaded again), else from nuget.org.
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <fallbackPackageFolders><add key="shared" value="$shared_cache" /></fallbackPackageFolders>
</configuration>
XML

step "installing Nats.Server.Tool $version into $work/tool"
(cd "$work" && NUGET_PACKAGES="$work/packages" dotnet tool install Nats.Server.Tool --version "$version" \
  --tool-path "$work/tool" --configfile "$work/NuGet.config" >/dev/null)

# A free port: the kernel picks one, and the tool writes it to its ports file.
ports_dir="$work/ports"
rm -rf "$ports_dir" && mkdir -p "$ports_dir"
log="$work/tool.log"
step "running $work/tool/nats-server"
"$work/tool/nats-server" -p -1 --ports_file_dir "$ports_dir" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 300); do
  if file=$(ls "$ports_dir"/*.ports 2>/dev/null | head -1) && [ -n "$file" ]; then
    port="$(grep -o 'nats://[^"]*' "$file" | head -1 | sed 's/.*://')"
    [ -n "$port" ] && break
  fi
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "pack-check: the tool exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; echo "pack-check: no ports file from the tool" >&2; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port"
read -r -t 5 info <&3
case "$info" in INFO*) ;; *) echo "pack-check: expected INFO, got: $info" >&2; exit 1 ;; esac
printf 'CONNECT {"verbose":false}\r\nPING\r\n' >&3
read -r -t 5 pong <&3
exec 3>&-
[ "${pong%$'\r'}" = "PONG" ] || { echo "pack-check: expected PONG, got: $pong" >&2; exit 1; }
for plugin in jetstream websocket leafnodes gateway auth-jwt; do
  grep -q "Loaded plugin $plugin " "$log" || { cat "$log" >&2; echo "pack-check: the tool did not load plugin $plugin" >&2; exit 1; }
done
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT
step "ok: the tool served a client on port $port with its plugins; packages in $work/feed"

#!/usr/bin/env bash
# A server with the plugins you choose: publishes the host and each chosen plugin project into
# <out>/ and <out>/plugins/<Name>/. See docs/custom-builds.md.
#
#   build/publish.sh --out dir [--plugins a,b,path/to/C.csproj | --plugins none] [-c Release]
#   build/publish.sh --aot --out dir [--plugins a,b | --plugins none]
#   build/publish.sh --composite --out dir [--plugins ...]
#
# Without --plugins, every plugin project under the repository's plugins/ is included. --aot
# builds one native executable (NativeAOT) with the chosen plugins of plugins/ linked in: it
# cannot load plugin folders (docs/custom-builds.md). --composite publishes the JIT server
# self-contained, with the runtime, framework and host precompiled as one ReadyToRun image
# (less start-up CPU; a much longer publish and a larger folder: docs/benchmarks.md).
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

out=""
plugins=""
configuration="Release"
aot=""
composite=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out|-o) out="${2:?--out needs a directory}"; shift 2 ;;
    --plugins) plugins="${2?--plugins needs a list}"; shift 2 ;;
    -c|--configuration) configuration="${2:?-c needs a configuration}"; shift 2 ;;
    --aot) aot=1; shift ;;
    --composite) composite=1; shift ;;
    -h|--help) usage ;;
    *) echo "publish.sh: unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$out" ] || usage

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=("$root/host/Nats.Host.csproj" -c "$configuration" -o "$out" -nologo)
if [ -n "$aot" ] && [ -n "$composite" ]; then
  echo "publish.sh: --aot and --composite are two different builds; choose one" >&2; exit 2
fi
if [ -n "$composite" ]; then
  args+=(-p:Composite=true)
fi
if [ -n "$aot" ]; then
  case "$plugins" in
    *.csproj*) echo "publish.sh: --aot links in plugins of the repository's plugins/ by name, not project paths" >&2; exit 2 ;;
  esac
  args+=(-p:NativeAot=true)
  if [ -n "$plugins" ]; then
    args+=("-p:LinkedPlugins=${plugins//,/ }")
  fi
elif [ -n "$plugins" ]; then
  # Quoted for MSBuild, which would otherwise take the commas as separators of its own switch.
  args+=("-p:Plugins=\"$plugins\"")
fi
exec dotnet publish "${args[@]}"

#!/usr/bin/env bash
# Installs every Debian package trailwatch needs to build, test, demo and benchmark (one list:
# build and runtime libraries, test tools, then the bench-only packages at the end).
# Idempotent: only missing packages are installed. Needs root (or sudo) on Debian 12.
#   --fuzz  also clang and libFuzzer (libclang-rt-14-dev, which clang only recommends), for the
#           optional -DTW_FUZZ=ON build (HACKING.md, "Fuzz"). `make test` never needs them.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libsimdjson-dev libdeflate-dev zlib1g-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev libre2-dev libpugixml-dev
  libcpp-httplib-dev libexpected-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  jq valgrind python3 gzip
  zip dpkg-dev  # make lambda-zip, make deb
)
# Bench only (`make bench`; neither the product nor `make test` needs them): Go builds quamina,
# the EventBridge-pattern peer of target T7, from ../shared/bench/quamina (bench/README.md).
PACKAGES+=(golang-go)
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

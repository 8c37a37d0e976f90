#!/usr/bin/env bash
# Installs clang and its libFuzzer and sanitizer runtimes (Debian packages),
# which `make fuzz` needs on top of scripts/install-deps.sh.
set -euo pipefail
packages=(clang libclang-rt-dev)
if command -v clang++ >/dev/null 2>&1 &&
  ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "ratchet: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

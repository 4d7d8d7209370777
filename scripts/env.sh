# Sourced by the other scripts: stable places for tools and build outputs, outside the clone,
# so that a fresh clone (as CI makes) reuses what an earlier run built.
export FASHION_LAB_CACHE="${FASHION_LAB_CACHE:-$HOME/.cache/fashion-lab}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$FASHION_LAB_CACHE/target}"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
# npm's binaryen (wasm-opt 132) must come before any system wasm-opt: Debian's 108 breaks the app.
export PATH="$PWD/node_modules/.bin:$CARGO_HOME/bin:$PATH"
mkdir -p "$FASHION_LAB_CACHE"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing (apt-get update once per run, only when needed).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> apt-get install ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; export APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

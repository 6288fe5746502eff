#!/usr/bin/env bash
# Installs whatever the build (`setup.sh run`) or the tests (`setup.sh test`)
# need and this machine lacks; everything already present is left alone, so
# running it again costs a few seconds. Called by `make run` and `make test`.
#
# Needs: Debian or Ubuntu with rustup. System packages are installed with
# apt-get (through sudo when not root). Pinned tools:
#   cargo-leptos 0.3.8 (the newest that builds on rustc 1.95), installed
#     with --features no_downloads so it never fetches tools itself;
#   wasm-bindgen-cli, the exact version of wasm-bindgen in Cargo.lock;
#   wasm-opt from npm's binaryen 123 (Debian's binaryen 108 produces a
#     bundle that fails to hydrate), kept in $GOUZHU_TOOLS_DIR.
set -euo pipefail

mode=${1:-run}
CARGO_LEPTOS_VERSION=0.3.8
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$(dirname "$0")/../Cargo.lock")
BINARYEN_VERSION=123.0.0
TOOLS_DIR=${GOUZHU_TOOLS_DIR:-$HOME/.cache/gouzhu/tools}

say() { printf '\033[1;36m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) and open a new shell"
command -v rustup >/dev/null || die "rustup not found: this project installs the wasm32 target with rustup"

# ---- System packages --------------------------------------------------------
packages=(pkg-config libpq-dev libssl-dev fonts-noto-cjk nodejs npm)
if [ "$mode" = test ]; then
  packages+=(postgresql chromium chromium-driver poppler-utils sqlite3)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- Rust tools -------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed | grep -q '^clippy'; then
  rustup component add clippy rustfmt
fi

installed_version() { "$@" 2>/dev/null | awk '{ print $NF }' || true; }

if [ "$(installed_version cargo leptos --version)" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 30 minutes on 2 cores, once per machine)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if [ "$(installed_version wasm-bindgen --version)" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 8 minutes, once per machine)"
  # Not --locked: its lock file names a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm) into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# ---- Checks -------------------------------------------------------------------
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
  || say "warning: Noto Sans CJK not found; documents need a Chinese font (GOUZHU_FONT_DIRS)"
exit 0

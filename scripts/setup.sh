#!/usr/bin/env bash
# Installs whatever the build (`setup.sh run`), the tests (`setup.sh test`)
# or the stress runs (`setup.sh stress`: the tests' needs, wrk and
# schemathesis) need and this machine lacks; everything already present is left alone, so
# running it again costs a few seconds. Called by `make run` and `make test`.
#
# Needs: Debian or Ubuntu with rustup. System packages are installed with
# apt-get (through sudo when not root). Pinned tools:
#   cargo-leptos 0.3.8 (the newest that builds on rustc 1.95), installed
#     with --features no_downloads so it never fetches tools itself;
#   wasm-bindgen-cli, the exact version of wasm-bindgen in Cargo.lock;
#   wasm-opt from npm's binaryen 123 (Debian's binaryen 108 produces a
#     bundle that fails to hydrate), kept in $GOUZHU_TOOLS_DIR;
#   schemathesis 4.32.5 from PyPI (stress only), in a virtual environment
#     in $GOUZHU_TOOLS_DIR/schemathesis;
#   cargo-fuzz 0.13.1 for the fuzz targets (stress only; run without a
#     sanitizer, they build on the stable toolchain).
set -euo pipefail

mode=${1:-run}
CARGO_LEPTOS_VERSION=0.3.8
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$(dirname "$0")/../Cargo.lock")
BINARYEN_VERSION=123.0.0
SCHEMATHESIS_VERSION=4.32.5
CARGO_FUZZ_VERSION=0.13.1
TOOLS_DIR=${GOUZHU_TOOLS_DIR:-$HOME/.cache/gouzhu/tools}

say() { printf '\033[1;36m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) and open a new shell"
command -v rustup >/dev/null || die "rustup not found: this project installs the wasm32 target with rustup"

# ---- System packages --------------------------------------------------------
# Each need is a check and the Debian package that satisfies it; only what
# fails its check is installed (node and npm may come from elsewhere).
needs=(
  "cmd:cc build-essential"
  "pkg:pkg-config pkg-config"
  "pkg:libpq-dev libpq-dev"
  "pkg:libssl-dev libssl-dev"
  "file:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk"
  "cmd:npm npm"
)
if [ "$mode" = test ] || [ "$mode" = stress ]; then
  needs+=(
    "glob:/usr/lib/postgresql/*/bin/initdb postgresql"
    "cmd:chromium chromium"
    "cmd:chromedriver chromium-driver"
    "cmd:pdftotext poppler-utils"
    "cmd:sqlite3 sqlite3"
  )
fi
if [ "$mode" = stress ]; then
  needs+=(
    "cmd:wrk wrk"
    "cmd:python3 python3"
    "pyvenv: python3-venv"
  )
fi
missing=()
for need in "${needs[@]}"; do
  check=${need%% *} package=${need#* }
  case $check in
    pkg:*) dpkg-query -W -f='${Status}' "${check#pkg:}" 2>/dev/null | grep -q 'install ok installed' ;;
    file:*) [ -e "${check#file:}" ] ;;
    glob:*) compgen -G "${check#glob:}" >/dev/null ;;
    cmd:*) command -v "${check#cmd:}" >/dev/null ;;
    pyvenv:) python3 -c 'import ensurepip, venv' 2>/dev/null ;;
  esac || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}: install them as root (apt-get install ${missing[*]}), or install sudo"
    sudo="sudo"
  fi
  say "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- Rust tools -------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

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

if [ "$mode" = stress ] && ! "$TOOLS_DIR/schemathesis/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $TOOLS_DIR/schemathesis"
  rm -rf "$TOOLS_DIR/schemathesis"
  python3 -m venv "$TOOLS_DIR/schemathesis"
  "$TOOLS_DIR/schemathesis/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "$mode" = stress ] && ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

exit 0

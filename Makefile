# Gouzhu (购助). A newcomer needs two targets:
#   make run    set up what is missing, build, load the demo district, serve
#   make test   every test: unit, integration on SQLite and PostgreSQL, browser
# Everything else here serves those two or CI (.ci/run).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Build output lives outside the clone so later clones build incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/gouzhu/target
export GOUZHU_TOOLS_DIR ?= $(HOME)/.cache/gouzhu/tools
export PATH := $(GOUZHU_TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# cargo-leptos sets this while it builds; plain cargo commands set the same
# value so they reuse its build instead of recompiling leptos.
export LEPTOS_OUTPUT_NAME := gouzhu

BIN := $(CARGO_TARGET_DIR)/release/gouzhu
SITE := $(CURDIR)/target/site
DATABASE_URL ?= data/gouzhu.sqlite3
export DATABASE_URL

.PHONY: run build setup setup-test test test-unit test-e2e lint fmt ci bench stress setup-stress clean-data
# Steps share apt, cargo's lock and the build they test: never run them at once.
.NOTPARALLEL:

## make run: set up, build, migrate, load the demo district and serve on http://127.0.0.1:3000
run: build
	@$(BIN) demo --demo-mode
	@echo "Open http://127.0.0.1:3000 and sign in as admin, finance, approver, town.binjiang, town.shuanghe, provider, provider.yuan, inspector, inspector.qian, inspector.sun or auditor with the password Gouzhu-Demo-2026 (demo mode). Ctrl-C stops."
	@$(BIN) serve --demo-mode --site-root $(SITE) --templates-dir $(CURDIR)/contract-templates

## make build: the release server binary and the browser bundle, with cargo-leptos
build: setup
	cargo leptos build --release --precompress

setup:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

## make test: every test; the binary under test is the one `make run` serves
test: setup-test build test-unit test-e2e

test-unit: build
	cargo test --release -p app -p gouzhu-server

test-e2e: build
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo test -p gouzhu-tests -- --test-threads=3

## make stress: the stress runs of issue 10 (see RELIABILITY.md) against the built server: schemathesis on /api/v1 (finance's and a provider's tokens, SQLite and PostgreSQL), wrk on the demo scaled to STRESS_DISTRICTS (100) districts, and every fuzz target; STRESS_SECONDS (60) per run
STRESS_SECONDS ?= 60
STRESS_DISTRICTS ?= 100
export STRESS_DISTRICTS
stress: setup-stress build
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example stress_schemathesis -- $(STRESS_SECONDS)
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example stress_load -- $(STRESS_SECONDS)
	scripts/fuzz.sh $(STRESS_SECONDS)

setup-stress:
	@scripts/setup.sh stress

## make lint: formatting and clippy for the server and the browser builds
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

fmt:
	cargo fmt --all

## make ci: what .ci/run does
ci:
	.ci/run

## make bench: start-up time, idle memory, PDF time of the built server (needs curl); allocation time; a 50,000-row roster import on both backends
bench: build
	scripts/bench-startup.sh 10
	cargo run --release -p app --example bench_allocation
	cargo run --release -p app --example bench_payroll
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example bench_import
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example bench_payroll_run
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example bench_services
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example bench_inspections
	GOUZHU_BIN=$(BIN) GOUZHU_SITE_ROOT=$(SITE) cargo run -p gouzhu-tests --example bench_upgrade

## make clean-data: delete the local SQLite database (the demo reloads on the next make run)
clean-data:
	rm -f data/gouzhu.sqlite3 data/gouzhu.sqlite3-wal data/gouzhu.sqlite3-shm

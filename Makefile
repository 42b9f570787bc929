# earshot build and test entry points. `make demo` and `make test` each install what they need.
SHELL := /bin/bash
NODE_BIN := node_modules/.bin
APT_PACKAGES := libpcap-dev tshark iproute2 ethtool openssl make g++ python3 hostapd dnsmasq-base nftables mosquitto
TEST_FILES = $(shell find test -name '*.test.ts' | sort)

.PHONY: deps apt-deps build typecheck test unit demo bench fuzz clean model report sim-report

# apt is skipped when everything is already there, so repeat runs are quick and work offline.
apt-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  echo "wireshark-common wireshark-common/install-setuid boolean false" | $$SUDO debconf-set-selections && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: apt-deps node_modules/.installed

build: deps
	$(NODE_BIN)/tsc -p tsconfig.build.json

typecheck: deps
	$(NODE_BIN)/tsc --noEmit -p tsconfig.json

# Node 20 runs zero .ts tests when given a directory, so the files are listed explicitly.
test: deps typecheck
	node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 $(TEST_FILES)

unit: deps
	node --import tsx --test --test-reporter=spec $(shell find test/unit -name '*.test.ts' | sort)

demo: build
	node dist/appliance/src/cli/bin.js demo

bench: deps
	node --import tsx bench/pipeline-bench.ts
	node --import tsx bench/live-capture-bench.ts
	node --import tsx bench/judge-bench.ts
	node --import tsx bench/service-bench.ts
	node --import tsx bench/forest-bench.ts
	node --import tsx bench/e2e-latency-bench.ts

# Retrain the shipped forest, and regenerate its report (9-12 min), from the paper's dataset.
model: deps
	node --import tsx appliance/src/cli/bin.ts train ../shared/data/paper-dataset -o models/earshot-forest.json

report: deps
	node --import tsx appliance/src/cli/bin.ts train-report ../shared/data/paper-dataset -o models/REPORT.md

# The simulator's realism report (docs/simulator.md) against the paper's data and the real captures.
sim-report: deps
	node --import tsx appliance/src/cli/bin.ts simulate --report

fuzz: deps
	EARSHOT_FUZZ_FRAMES=1000000 node --import tsx --test test/unit/decode-fuzz.test.ts

clean:
	rm -rf dist node_modules

# earshot build and test entry points. `make demo` and `make test` each install what they need.
SHELL := /bin/bash
NODE_BIN := node_modules/.bin
# Each entry point installs only its own apt packages (scripts/apt-install.sh; docs/install.md).
# The demo replays a simulated capture file: it needs only what `npm ci` compiles the native addons
# (pcap, epoll, i2c-bus) with, and libpcap for pcap at run time.
DEMO_APT_PACKAGES := libpcap-dev make g++ python3
# What the image scripts (os-image/) call on the build host. os-image-checks.test.ts runs them in
# `make test` too, so the test list has them as well.
IMAGE_TOOL_APT_PACKAGES := systemd dosfstools mtools fdisk e2fsprogs g++-aarch64-linux-gnu file binutils
# The live tests' real components (capture, AP, firewall, broker, clients, browser) and shellcheck.
TEST_APT_PACKAGES := $(DEMO_APT_PACKAGES) $(IMAGE_TOOL_APT_PACKAGES) tshark iproute2 ethtool openssl hostapd dnsmasq-base nftables \
	mosquitto mosquitto-clients curl tcpdump nghttp2-client socat shellcheck fonts-dejavu-core chromium
# Only `make image` needs these (the image build is not part of `make test`).
IMAGE_APT_PACKAGES := $(DEMO_APT_PACKAGES) $(IMAGE_TOOL_APT_PACKAGES) \
	mmdebstrap qemu-user-static binfmt-support qemu-system-arm arch-test eatmydata xz-utils zstd debian-archive-keyring
IMAGE_OUT := out/os-image
TEST_FILES = $(shell find test -name '*.test.ts' | sort)

.PHONY: deps demo-deps demo-apt-deps apt-deps image-deps build typecheck test unit demo bench fuzz clean model report sim-report image image-test

demo-apt-deps:
	@scripts/apt-install.sh $(DEMO_APT_PACKAGES)

apt-deps:
	@scripts/apt-install.sh $(TEST_APT_PACKAGES)

image-deps:
	@scripts/apt-install.sh $(IMAGE_APT_PACKAGES)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# `deps` is the test set; the demo's build needs only the demo set.
deps: apt-deps node_modules/.installed

demo-deps: demo-apt-deps node_modules/.installed

build: demo-deps
	$(NODE_BIN)/tsc -p tsconfig.build.json

typecheck: deps
	$(NODE_BIN)/tsc --noEmit -p tsconfig.json

# Node 20 runs zero .ts tests when given a directory, so the files are listed explicitly.
test: deps typecheck
	node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 $(TEST_FILES)

unit: deps
	node --import tsx --test --test-reporter=spec $(shell find test/unit -name '*.test.ts' | sort)

# The simulator (sim/) is built with the product but never shipped (os-image/build-app.sh).
demo: build
	node dist/sim/src/bin.js demo

bench: deps build
	node --import tsx bench/pipeline-bench.ts
	node --import tsx bench/live-capture-bench.ts
	node --import tsx bench/judge-bench.ts
	node --import tsx bench/paper-episodes-bench.ts
	node --import tsx bench/upload-matrix-bench.ts
	node --import tsx bench/replay-ratio-bench.ts
	node --import tsx bench/service-bench.ts
	node --import tsx bench/forest-bench.ts
	node --import tsx bench/e2e-latency-bench.ts
	node --import tsx bench/figures-bench.ts
	node --import tsx bench/record-bench.ts
	node --import tsx bench/enforcement-matrix-bench.ts
	node --import tsx bench/status-page-bench.ts
	node --import tsx bench/state-writes-bench.ts
	node --import tsx bench/memory-bench.ts
	node --import tsx bench/two-echo-latency-bench.ts

# Retrain the shipped forest, and regenerate its report (9-12 min), from the paper's dataset.
model: deps
	node --import tsx appliance/src/cli/bin.ts train ../shared/data/paper-dataset -o models/earshot-forest.json

report: deps
	node --import tsx appliance/src/cli/bin.ts train-report ../shared/data/paper-dataset -o models/REPORT.md

# The simulator's realism report (docs/simulator.md) against the paper's data and the real captures.
sim-report: deps
	node --import tsx sim/src/bin.ts report

fuzz: deps
	EARSHOT_FUZZ_FRAMES=1000000 node --import tsx --test test/unit/decode-fuzz.test.ts

# The Raspberry Pi image (os-image/, docs/install.md): about 17 min cold, 2-3 min with the cached rootfs.
image: image-deps node_modules/.installed
	os-image/make-image.sh $(IMAGE_OUT)

# Boots the image in QEMU and checks it (about 2-3 min after `make image`).
image-test: deps image-deps
	@test -f $(IMAGE_OUT)/earshot-arm64.img || $(MAKE) image
	EARSHOT_IMAGE=$(IMAGE_OUT)/earshot-arm64.img node --import tsx --test --test-reporter=spec test/integration/os-image-boot.test.ts

clean:
	rm -rf dist node_modules out

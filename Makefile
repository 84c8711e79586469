# FluxDesk — the two commands that matter: `make run` and `make test` (both set everything up).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# System packages, one list in three parts. What the app needs to run (also the .deb's Depends):
# Qt's xcb platform libraries, sysbench for the hardware benchmark, sudo for the node installer.
RUNTIME_PACKAGES := sysbench sudo \
	libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xkb1 \
	libxcb-render-util0 libxcb-image0 libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
	libglib2.0-0
# What it uses when present (the .deb's Recommends): a Secret Service keyring for remembered keys.
OPTIONAL_PACKAGES := dbus gnome-keyring
# What only the tests use: a virtual X server and the tools that drive a private keyring.
TEST_PACKAGES := xvfb xauth dbus-x11 libsecret-tools
SYSTEM_PACKAGES := $(RUNTIME_PACKAGES) $(OPTIONAL_PACKAGES) $(TEST_PACKAGES)
# The distro's tools that build and check the .deb (`make package` installs them when root).
PACKAGE_TOOLS := dpkg-dev binutils patchelf help2man lintian desktop-file-utils appstream
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint oracle pytest bench bundle package packagetools demo sysdeps clean

run: sysdeps $(STAMP)
	$(PY) -m app.main

test: sysdeps $(STAMP) lint oracle pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

# The official JS libraries as a test-time oracle (never a runtime dependency). Without npm the
# oracle tests skip and say how to enable them.
ORACLE := tests/wallet/oracle
oracle:
	@if command -v npm >/dev/null; then \
		test -d $(ORACLE)/node_modules || npm ci --prefix $(ORACLE) --no-audit --no-fund --loglevel=error \
			|| echo "npm ci failed: the JS oracle tests will be skipped"; \
	else echo "npm not found: the JS oracle tests will be skipped"; fi

# Keyring tests need a real Secret Service: run the suite inside a private D-Bus session with a
# fresh, unlocked gnome-keyring (its own XDG_DATA_HOME, so an existing login keyring with another
# password cannot leave it locked) when the tools are there; otherwise those tests skip with the reason.
pytest: $(STAMP)
	@if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then \
		keyrings=$$(mktemp -d); \
		XDG_DATA_HOME=$$keyrings dbus-run-session -- sh -c 'printf fluxdesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec $(PY) -m pytest'; \
		status=$$?; rm -rf "$$keyrings"; exit $$status; \
	else \
		$(PY) -m pytest; \
	fi

bench: sysdeps $(STAMP)
	$(PY) -m bench

# A local simulated Flux network with a funded demo wallet, and the app pointed at it (regtest).
demo: sysdeps $(STAMP)
	$(PY) -m app.demo

bundle: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec

# dist/fluxdesk_<version>_<arch>.deb and dist/SHA256SUMS from a fresh bundle, checked by lintian.
package: sysdeps packagetools bundle
	@deb=$$(PYTHONPATH=packaging $(PY) -m fluxpack deb --bundle dist/fluxdesk --out dist) \
		&& echo "built $$deb" && echo "lintian:" && lintian --fail-on error,warning "$$deb"

# Installs the Debian packages named in $(1) that are missing (as root), or says how to and what
# happens without them ($(2)).
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
		echo "Not a Debian/Ubuntu system: install the equivalents of: $$missing ($(2))."; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing system packages: $$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Some system packages are missing: $(2)."; \
		echo "Install them with:  sudo apt-get install -y $$missing"; \
	fi
endef

sysdeps:
	$(call apt_install,$(SYSTEM_PACKAGES),the tests that need them will be skipped)

packagetools:
	$(call apt_install,$(PACKAGE_TOOLS),make package cannot build and check the .deb without them)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "FluxDesk needs Python 3.11 or newer"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache

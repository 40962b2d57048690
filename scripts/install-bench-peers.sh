#!/usr/bin/env bash
# Installs the registries Berth is benchmarked against (see docs/benchmarks.md):
#   - Debian 12's docker-registry package (distribution 2.8.2), with apt, only when
#     /usr/bin/docker-registry is missing. Its systemd service is not enabled or
#     started here: the benchmark runs the binary itself with a generated config.
#   - distribution v3 (cmd/registry), built with `go install` into
#     $BERTH_CACHE/tools/bin/registry-v3. Optional: when Go is missing or the build
#     fails or takes longer than BERTH_BENCH_V3_TIMEOUT seconds (default 300), the
#     benchmark runs without it and says so.
#   - the tools the benchmark drives, from Debian 12 with apt, each only when its
#     program is missing: skopeo (the end-to-end copies) and librsvg2-bin
#     (rsvg-convert, which turns the results chart into a PNG). Without them the
#     benchmark skips the copies or the PNG and says so.
#
# Idempotent: registry-v3 is rebuilt only when its binary is missing or its stamp
# (tools/stamps/registry-v3.version) differs from the pinned version.
#
# Needs: root for apt (only on the first run; without it the package is skipped), and Go
# for distribution v3. Without root or Go the peer is skipped (the benchmark reports it);
# a failing apt-get fails the script.
#   BERTH_CACHE   cache root (default: $HOME/.cache/berth)
set -euo pipefail

V3_MODULE=github.com/distribution/distribution/v3/cmd/registry
V3_VERSION=v3.1.1
V3_TIMEOUT=${BERTH_BENCH_V3_TIMEOUT:-300}

CACHE_DIR=${BERTH_CACHE:-${HOME:?HOME is not set}/.cache/berth}
BIN_DIR=$CACHE_DIR/tools/bin
STAMP_DIR=$CACHE_DIR/tools/stamps

log() {
    echo "install-bench-peers: $*" >&2
}

install_debian_registry() {
    if [[ -x /usr/bin/docker-registry ]]; then
        echo "docker-registry $(dpkg-query -W -f '${Version}' docker-registry) ok (cached)"
        return
    fi
    if [[ $(id -u) != 0 ]]; then
        echo "docker-registry skipped (not installed, and installing it with apt needs root)"
        return
    fi
    log "installing Debian's docker-registry with apt"
    # A policy-rc.d that answers 101 keeps the package's postinst from starting
    # the service; one that already exists is left as it is.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        added_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry >&2; }
    if [[ $added_policy == 1 ]]; then rm -f "$policy"; fi
    # The postinst enables the unit (a symlink under /etc/systemd); undo that, and
    # stop the service where systemd is running.
    DPKG_MAINTSCRIPT_PACKAGE=docker-registry deb-systemd-helper disable docker-registry.service \
        >/dev/null 2>&1 || true
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
    fi
    echo "docker-registry $(dpkg-query -W -f '${Version}' docker-registry) ok (installed)"
}

# install_apt_tool PACKAGE PROGRAM: installs a Debian package when PROGRAM is missing.
install_apt_tool() {
    local package=$1 program=$2
    if [[ -x $program ]]; then
        echo "$package $(dpkg-query -W -f '${Version}' "$package" 2>/dev/null || echo '?') ok (cached)"
        return
    fi
    if [[ $(id -u) != 0 ]]; then
        echo "$package skipped (not installed, and installing it with apt needs root)"
        return
    fi
    log "installing $package with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >&2; }
    echo "$package $(dpkg-query -W -f '${Version}' "$package") ok (installed)"
}

install_registry_v3() {
    local go scratch started
    if [[ -x $BIN_DIR/registry-v3 && -f $STAMP_DIR/registry-v3.version &&
        $(<"$STAMP_DIR/registry-v3.version") == "$V3_VERSION" ]]; then
        echo "registry-v3 $V3_VERSION ok (cached)"
        return
    fi
    go=$(command -v go || echo /usr/local/go/bin/go)
    if [[ ! -x $go ]]; then
        echo "registry-v3 $V3_VERSION skipped (no Go toolchain)"
        return
    fi
    mkdir -p "$BIN_DIR" "$STAMP_DIR"
    scratch=$(mktemp -d "$BIN_DIR/.registry-v3.XXXXXX")
    started=$SECONDS
    if GOBIN=$scratch CGO_ENABLED=0 timeout "$V3_TIMEOUT" "$go" install "$V3_MODULE@$V3_VERSION" >&2; then
        mv -f "$scratch/registry" "$BIN_DIR/registry-v3"
        printf '%s\n' "$V3_VERSION" >"$STAMP_DIR/registry-v3.version"
        echo "registry-v3 $V3_VERSION ok (built in $((SECONDS - started))s)"
    else
        echo "registry-v3 $V3_VERSION skipped (go install failed or took over ${V3_TIMEOUT}s)"
    fi
    rm -rf "$scratch"
}

install_debian_registry
install_registry_v3
install_apt_tool skopeo /usr/bin/skopeo
install_apt_tool librsvg2-bin /usr/bin/rsvg-convert

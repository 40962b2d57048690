#!/usr/bin/env bash
# Installs every external tool the Berth test suites call: OCI clients built with
# Go (crane, oras, regctl), the OCI distribution-spec conformance suites, syft (the
# SBOM generator the scanner's inventory is compared with), the
# Debian container tools (skopeo, podman, buildah, debootstrap) set up for rootful
# use with `--storage-driver vfs`, Chromium for the portal's browser tests, slapd
# and the OpenLDAP tools for the LDAP sign-in tests, and
# schemathesis (from PyPI, in its own venv) for fuzzing the management API against
# its OpenAPI document.
#
# Idempotent: a Go or Python tool is rebuilt only when its binary is missing or its
# stamp (tools/stamps/<tool>.version) differs from the pinned version below; apt runs
# only when a package is missing. Binaries are built under a temporary name and
# moved into place, so an interrupted run never leaves a half-written binary.
#
# Needs: root (for apt), Go >= 1.25 and Node on PATH (Go is also looked for in
# /usr/local/go/bin). Go's module and build caches stay in their default places;
# pip's cache stays in its default place too.
#
# Usage: scripts/install-test-tools.sh        (prints the bin dir on the last line)
#   BERTH_CACHE        cache root (default: $HOME/.cache/berth); tools go to $BERTH_CACHE/tools/bin
#   BERTH_TOOLS_CHECK  set to 1 to run the buildah vfs smoke test even when nothing changed
set -euo pipefail

# --- Pinned versions -------------------------------------------------------------

CRANE_MODULE=github.com/google/go-containerregistry
CRANE_VERSION=v0.21.9
ORAS_MODULE=oras.land/oras
ORAS_VERSION=v1.3.3
REGCTL_MODULE=github.com/regclient/regclient
REGCTL_VERSION=v0.11.5
# The reference SBOM generator that Berth's inventory is compared with
# (test/e2e/scan-syft.test.ts, bench/scan.ts). Two cores build it in about 4 minutes (module
# downloads included); the timeout stops a build stuck on the module proxy.
SYFT_MODULE=github.com/anchore/syft
SYFT_VERSION=v1.57.2
SYFT_BUILD_TIMEOUT=1200

CONFORMANCE_MODULE=github.com/opencontainers/distribution-spec/conformance
# The released ginkgo suite. The v1.1.1 commit (v0.0.0-20250123160558-a139cc423184)
# and v1.1.0 (v0.0.0-20240201174943-0f98d91a0afe) are refused by the Go module
# proxy ("not available"); this Nov 2023 commit is the newest ginkgo-style suite it
# serves. Built with `go test -c` as conformance.test.
CONFORMANCE_VERSION=v0.0.0-20231101194043-f2182352d4cc
# The redesigned suite from the spec's main branch (a plain program), built as
# conformance-next for a non-blocking CI job.
CONFORMANCE_NEXT_VERSION=v0.0.0-20260831232431-97274622c111

# Installed with Debian's python3 into tools/venvs/schemathesis; its dependencies
# float within what this version declares.
SCHEMATHESIS_VERSION=4.32.5

# Debian 12 packages, installed by name (exact revisions would break on the next
# security update). The three clients are checked for major.minor below. Besides
# the clients: what rootful podman/buildah need at run time without recommends
# (Debian's podman ships a CNI config, hence the CNI plugins), and CA certificates
# so that Go can reach the module proxy on a bare machine. Chromium (with a font, so
# that screenshots show text) is the browser the portal's end-to-end tests drive
# through playwright-core. slapd and ldap-utils: the LDAP tests run their own slapd
# on a free port with a throwaway database (test/support/slapd.ts).
APT_PACKAGES=(
    skopeo podman buildah debootstrap
    uidmap slirp4netns crun conmon catatonit containernetworking-plugins
    golang-github-containers-common golang-github-containers-image
    ca-certificates python3 python3-venv
    chromium fonts-dejavu-core
    slapd ldap-utils
    binutils time
)
SKOPEO_SERIES=1.9
PODMAN_SERIES=4.3
BUILDAH_SERIES=1.28

# --- Helpers -----------------------------------------------------------------------

CACHE_DIR=${BERTH_CACHE:-${HOME:?HOME is not set}/.cache/berth}
TOOLS_DIR=$CACHE_DIR/tools
BIN_DIR=$TOOLS_DIR/bin
STAMP_DIR=$TOOLS_DIR/stamps

die() {
    echo "install-test-tools: $*" >&2
    exit 1
}

# report TOOL VERSION DETAIL: the one line printed per tool.
report() {
    echo "$1 $2 ok ($3)"
}

# up_to_date TOOL VERSION: true when the binary exists and its stamp matches.
up_to_date() {
    [[ -x $BIN_DIR/$1 && -f $STAMP_DIR/$1.version && $(<"$STAMP_DIR/$1.version") == "$2" ]]
}

# write_stamp TOOL VERSION, atomically.
write_stamp() {
    local tmp
    tmp=$(mktemp "$STAMP_DIR/.$1.XXXXXX")
    printf '%s\n' "$2" >"$tmp"
    mv -f "$tmp" "$STAMP_DIR/$1.version"
}

# Per-run scratch space on the same filesystem as BIN_DIR, so the final mv is
# atomic; created in main and removed on exit (module copies are read-only).
SCRATCH=
cleanup() {
    if [[ -n $SCRATCH ]]; then
        chmod -R u+w "$SCRATCH" 2>/dev/null || true
        rm -rf "$SCRATCH"
    fi
}
trap cleanup EXIT

# --- Go tools ----------------------------------------------------------------------

# go_tool TOOL PACKAGE VERSION [TIMEOUT]: `go install PACKAGE@VERSION` and install it as
# TOOL; with TIMEOUT (seconds), a build that takes longer is stopped and fails.
go_tool() {
    local tool=$1 pkg=$2 version=$3 scratch=$SCRATCH/$1 started
    local -a limit=()
    [[ -n ${4:-} ]] && limit=(timeout "$4")
    if up_to_date "$tool" "$version"; then
        report "$tool" "$version" cached
        return
    fi
    started=$SECONDS
    mkdir -p "$scratch"
    GOBIN=$scratch CGO_ENABLED=0 "${limit[@]}" go install "$pkg@$version" ||
        die "go install $pkg@$version failed${4:+ or took over $4 s}"
    mv -f "$scratch/${pkg##*/}" "$BIN_DIR/$tool"
    write_stamp "$tool" "$version"
    report "$tool" "$version" "built in $((SECONDS - started))s"
}

# module_dir MODULE VERSION: download a module and print its (read-only) cache dir.
module_dir() {
    go mod download -json "$1@$2" | node -e '
        let s = "";
        process.stdin.on("data", (d) => (s += d)).on("end", () => {
            const m = JSON.parse(s);
            if (m.Error || !m.Dir) {
                console.error(m.Error || "no Dir in go mod download output");
                process.exit(1);
            }
            console.log(m.Dir);
        });'
}

# The ginkgo suite is a test package: `go test -c` on a writable copy of the module
# (the module cache is read-only), as the upstream Makefile does.
conformance_suite() {
    local tool=conformance.test version=$CONFORMANCE_VERSION scratch=$SCRATCH/conformance src started
    if up_to_date "$tool" "$version"; then
        report "$tool" "$version" cached
        return
    fi
    started=$SECONDS
    mkdir -p "$scratch"
    src=$(module_dir "$CONFORMANCE_MODULE" "$version") ||
        die "cannot download $CONFORMANCE_MODULE@$version"
    cp -r "$src" "$scratch/src"
    chmod -R u+w "$scratch/src"
    (
        cd "$scratch/src"
        CGO_ENABLED=0 go test -c \
            -ldflags "-X $CONFORMANCE_MODULE.Version=$version" \
            -o "$scratch/$tool" .
    ) || die "building $tool from $CONFORMANCE_MODULE@$version failed"
    # The suite's init panics without a registry address; a dry run contacts none.
    OCI_ROOT_URL=http://127.0.0.1:9 OCI_NAMESPACE=dry-run/repo OCI_REPORT_DIR=none \
        "$scratch/$tool" -ginkgo.dry-run >/dev/null ||
        die "$tool -ginkgo.dry-run failed"
    mv -f "$scratch/$tool" "$BIN_DIR/$tool"
    write_stamp "$tool" "$version"
    report "$tool" "$version" "built in $((SECONDS - started))s"
}

# --- Python tools ------------------------------------------------------------------

# python_tool TOOL VERSION: `pip install TOOL==VERSION` into its own venv under
# tools/venvs/TOOL, linked into the bin dir. A venv records its own path, so it is
# built in place rather than moved: the stamp goes first and comes back last, so an
# interrupted run is redone from scratch. Debian's python3 (/usr/bin), not whatever
# python3 comes first on PATH, so the venv does not hang on a user's interpreter.
python_tool() {
    local tool=$1 version=$2 venv=$TOOLS_DIR/venvs/$1 started
    if up_to_date "$tool" "$version" && [[ -x $venv/bin/$tool ]]; then
        report "$tool" "$version" cached
        return
    fi
    started=$SECONDS
    rm -f "$STAMP_DIR/$tool.version"
    rm -rf "$venv"
    mkdir -p "$TOOLS_DIR/venvs"
    /usr/bin/python3 -m venv "$venv" || die "python3 -m venv failed (is python3-venv installed?)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$tool==$version" ||
        die "pip install $tool==$version failed"
    "$venv/bin/$tool" --version >/dev/null || die "$tool --version failed after install"
    ln -sfn "$venv/bin/$tool" "$BIN_DIR/$tool"
    write_stamp "$tool" "$version"
    report "$tool" "$version" "installed in $((SECONDS - started))s"
}

# --- Debian packages ---------------------------------------------------------------

apt_packages() {
    local pkg missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 1
    fi
    ((EUID == 0)) || die "apt packages missing (${missing[*]}); run as root"
    echo "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The system slapd would only sit on port 389: tell its package to create no
    # directory, so that its service has nothing to serve (a slapd set up before is
    # left as it is).
    echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections
    # Wait for a concurrent apt/dpkg run instead of failing on its lock.
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
    if [[ " ${missing[*]} " == *" slapd "* ]]; then
        system_slapd_off
    fi
}

# Keeps a freshly installed system slapd stopped, now and at boot, where an init
# system started it despite having no directory to serve.
system_slapd_off() {
    invoke-rc.d slapd stop >/dev/null 2>&1 || true
    update-rc.d slapd disable >/dev/null 2>&1 || true
}

# check_series TOOL SERIES: the installed TOOL must be major.minor SERIES.
check_series() {
    local tool=$1 series=$2 version
    version=$("$tool" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1) ||
        die "cannot read the version of $tool"
    if [[ $version != "$series".* ]]; then
        die "$tool $version is installed but the tests expect $series.x (Debian 12);" \
            "install $tool $series from bookworm or update the pin in $0"
    fi
    report "$tool" "$version" apt
}

# Config that the containers tools read; Debian's packages ship it, so this only
# fills gaps (for example after someone deleted it) and never overwrites a file.
containers_config() {
    local created=1
    mkdir -p /etc/containers
    if [[ ! -f /etc/containers/policy.json ]]; then
        cat >/etc/containers/policy.json <<'EOF'
{
    "default": [{ "type": "insecureAcceptAnything" }]
}
EOF
        echo "created /etc/containers/policy.json (accept everything)"
        created=0
    fi
    if [[ ! -f /etc/containers/registries.conf ]]; then
        # Tests always use fully qualified references to a local registry.
        printf 'unqualified-search-registries = []\n' >/etc/containers/registries.conf
        echo "created /etc/containers/registries.conf (no search registries)"
        created=0
    fi
    return "$created"
}

# Proves buildah works as root with vfs in a throwaway store.
smoke_vfs() {
    local store=$SCRATCH/vfs-store container
    container=$(buildah --storage-driver vfs --root "$store/root" --runroot "$store/run" \
        from scratch) || die "buildah --storage-driver vfs from scratch failed"
    buildah --storage-driver vfs --root "$store/root" --runroot "$store/run" \
        rm "$container" >/dev/null
    echo "buildah vfs smoke test ok"
}

# --- Main --------------------------------------------------------------------------

main() {
    local changed=1

    if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
        PATH=/usr/local/go/bin:$PATH
    fi
    command -v go >/dev/null || die "go is not installed (need Go >= 1.25)"
    command -v node >/dev/null || die "node is not installed"
    mkdir -p "$BIN_DIR" "$STAMP_DIR"
    SCRATCH=$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")

    if apt_packages; then
        changed=0
    fi
    if containers_config; then
        changed=0
    fi
    check_series skopeo "$SKOPEO_SERIES"
    check_series podman "$PODMAN_SERIES"
    check_series buildah "$BUILDAH_SERIES"
    report debootstrap "$(dpkg-query -W -f='${Version}' debootstrap)" apt
    report chromium "$(dpkg-query -W -f='${Version}' chromium)" apt
    report slapd "$(dpkg-query -W -f='${Version}' slapd)" apt
    report ldap-utils "$(dpkg-query -W -f='${Version}' ldap-utils)" apt
    if ((changed == 0)) || [[ ${BERTH_TOOLS_CHECK:-0} == 1 ]]; then
        smoke_vfs
    fi

    go_tool crane "$CRANE_MODULE/cmd/crane" "$CRANE_VERSION"
    go_tool oras "$ORAS_MODULE/cmd/oras" "$ORAS_VERSION"
    go_tool regctl "$REGCTL_MODULE/cmd/regctl" "$REGCTL_VERSION"
    go_tool syft "$SYFT_MODULE/cmd/syft" "$SYFT_VERSION" "$SYFT_BUILD_TIMEOUT"
    conformance_suite
    go_tool conformance-next "$CONFORMANCE_MODULE" "$CONFORMANCE_NEXT_VERSION"
    python_tool schemathesis "$SCHEMATHESIS_VERSION"

    echo "$BIN_DIR"
}

main "$@"

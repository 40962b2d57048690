#!/usr/bin/env bash
# Generates the version-comparison test vectors under test/fixtures/versions/ by asking each
# scheme's reference implementation to order pairs of versions (docs/scanning-versions.md).
#
# Run by hand after changing a seed file or a pinned version, then commit the TSVs; the unit
# tests read them and CI never runs this script. Idempotent: it installs what is missing, the
# oracles are pinned, and the pairs come from the committed seed files with a fixed random
# seed, so a second run writes the same files.
#
# Oracles (pinned below):
#   dpkg      dpkg --compare-versions (Debian 12's dpkg)
#   rpm       rpm 4.18's rpm.ver (python3-rpm)
#   apk       Trivy's Go port of apk-tools 2.x's version.c; OSV's and Wolfi's orderings as cross-checks
#   semver    npm's semver, Go's golang.org/x/mod/semver and Cargo's semver crate, in agreement
#   pep440    Python's packaging
#   maven     maven-artifact's ComparableVersion; a newer maven-artifact as a cross-check
#   rubygems  Gem::Version of Debian 12's Ruby
#   composer  composer/semver's VersionParser and Comparator (Debian 12's php-composer-semver)
#   nuget     OSV's NuGet ordering (Go, osv-scalibr); NuGet.Core 2.8 (Debian) as a cross-check
#
# Needs: root (for apt), network access to Debian, PyPI, npm, Maven Central, the Go module proxy
# and crates.io; Go >= 1.26 (also looked for in /usr/local/go/bin), cargo, node, java 17.
#
# Usage: scripts/generate-version-vectors.sh [SCHEME...]     (default: every scheme)
#   BERTH_CACHE  cache root (default: $HOME/.cache/berth); tools go to $BERTH_CACHE/version-vectors
set -euo pipefail

# --- Pinned versions -------------------------------------------------------------

PACKAGING_VERSION=26.4
NPM_SEMVER_VERSION=7.8.6
MAVEN_ARTIFACT_VERSION=3.9.16
MAVEN_ARTIFACT_CROSS_CHECK=3.10.1
# Go modules and the semver crate are pinned by scripts/version-vectors/go/go.sum and
# scripts/version-vectors/cargo/Cargo.lock.

# Debian 12 packages, installed by name; the series that the vectors were made with is checked
# below, so that a newer release cannot change the vectors unnoticed.
APT_PACKAGES=(dpkg rpm python3-rpm python3-venv ruby php-cli php-composer-semver
    libnuget-core-cil mono-runtime mono-csharp-shell maven openjdk-17-jdk-headless)
DPKG_SERIES=1.21
RPM_SERIES=4.18
RUBYGEMS_SERIES=3.3
COMPOSER_SEMVER_SERIES=3.3
NUGET_CORE_SERIES=2.8

SCHEMES=(dpkg rpm apk semver pep440 maven rubygems composer nuget)

# --- Helpers -----------------------------------------------------------------------

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/scripts/version-vectors
OUT=$ROOT/test/fixtures/versions
CACHE_DIR=${BERTH_CACHE:-${HOME:?HOME is not set}/.cache/berth}/version-vectors
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

die() {
    echo "generate-version-vectors: $*" >&2
    exit 1
}

# series PACKAGE: the major.minor of an installed Debian package's upstream version.
series() {
    dpkg-query -W -f '${Version}' "$1" | sed -E 's/^[0-9]+://; s/^([0-9]+\.[0-9]+).*/\1/'
}

expect_series() {
    local actual
    actual=$(series "$1")
    [[ $actual == "$2" ]] || die "$1 is $actual, the vectors were made with $2"
}

# --- Tools ---------------------------------------------------------------------------

install_tools() {
    local missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if ((${#missing[@]} > 0)); then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    expect_series dpkg "$DPKG_SERIES"
    expect_series rpm "$RPM_SERIES"
    expect_series php-composer-semver "$COMPOSER_SEMVER_SERIES"
    expect_series libnuget-core-cil "$NUGET_CORE_SERIES"
    [[ $(ruby -e 'print Gem::VERSION[/^\d+\.\d+/]') == "$RUBYGEMS_SERIES" ]] || die "RubyGems is not $RUBYGEMS_SERIES"

    mkdir -p "$CACHE_DIR/bin"
    if [[ ! -x $CACHE_DIR/venv/bin/python || $("$CACHE_DIR/venv/bin/python" -c 'import packaging; print(packaging.__version__)' 2>/dev/null) != "$PACKAGING_VERSION" ]]; then
        /usr/bin/python3 -m venv "$CACHE_DIR/venv"
        "$CACHE_DIR/venv/bin/pip" install -q "packaging==$PACKAGING_VERSION"
    fi

    if [[ $(node -p "require('$CACHE_DIR/npm/node_modules/semver/package.json').version" 2>/dev/null) != "$NPM_SEMVER_VERSION" ]]; then
        npm install -s --no-save --prefix "$CACHE_DIR/npm" "semver@$NPM_SEMVER_VERSION" >/dev/null
    fi

    for version in "$MAVEN_ARTIFACT_VERSION" "$MAVEN_ARTIFACT_CROSS_CHECK"; do
        [[ -f $(maven_jar "$version") ]] ||
            mvn -q -B dependency:get "-Dartifact=org.apache.maven:maven-artifact:$version" -Dtransitive=false
    done

    local go=go
    command -v go >/dev/null || go=/usr/local/go/bin/go
    (cd "$HERE/go" && GOFLAGS=-mod=readonly "$go" build -o "$CACHE_DIR/bin/oracle-go" .)
    (cd "$HERE/cargo" && cargo build -q --release --locked --target-dir "$CACHE_DIR/cargo-target")
}

maven_jar() {
    echo "$HOME/.m2/repository/org/apache/maven/maven-artifact/$1/maven-artifact-$1.jar"
}

# --- Oracles: each reads "a<TAB>b" lines and answers -1, 0, 1 or "invalid" per line ---------

dpkg_oracle() { "$HERE/oracle-dpkg.sh" "$@"; }
rpm_oracle() { /usr/bin/python3 "$HERE/oracle-rpm.py" "$@"; }
pep440_oracle() { "$CACHE_DIR/venv/bin/python" "$HERE/oracle-pep440.py" "$@"; }
rubygems_oracle() { ruby "$HERE/oracle-rubygems.rb" "$@"; }
composer_oracle() { php "$HERE/oracle-composer.php" "$@"; }
go_oracle() { "$CACHE_DIR/bin/oracle-go" "$@"; }
npm_oracle() { SEMVER_MODULE=$CACHE_DIR/npm/node_modules/semver/index.js node "$HERE/oracle-npm-semver.mjs" "$@"; }
cargo_oracle() { "$CACHE_DIR/cargo-target/release/version-vectors-oracle" "$@"; }
maven_oracle() { java -cp "$(maven_jar "$1")" "$HERE/MavenCompare.java"; }
nuget_core_oracle() { csharp -r:/usr/lib/nuget/NuGet.Core.dll "$HERE/oracle-nuget-core.cs"; }

# Valid for Berth's semver: valid for npm, for Go (which takes vMAJOR[.MINOR] shorthands) or for Cargo.
semver_validity() {
    local input
    input=$(cat)
    paste <(npm_oracle validate <<<"$input") <(go_oracle semver validate <<<"$input") <(cargo_oracle validate <<<"$input") |
        awk '{ print ($1 == "valid" || $2 == "valid" || $3 == "valid") ? "valid" : "invalid" }'
}

# generate SCHEME MODE VALIDITY NAME:COMMAND:DESCRIPTION...
#   VALIDITY is WHO:COMMAND for the validity vectors, or "none".
generate() {
    local scheme=$1 mode=$2 validity=$3
    shift 3
    local pairs=$WORK/$scheme.pairs versions=$WORK/$scheme.versions specs=()
    python3 "$HERE/pairs.py" "$scheme" "$HERE/seeds/$scheme.txt" "$pairs" "$versions"

    for oracle in "$@"; do
        local name=${oracle%%:*} rest=${oracle#*:}
        local command=${rest%%:*} description=${rest#*:}
        # shellcheck disable=SC2086 # the command carries its arguments
        $command compare <"$pairs" >"$WORK/$scheme.$name"
        specs+=("$name=$WORK/$scheme.$name=$description")
    done

    local validity_args=()
    if [[ $validity != none ]]; then
        # shellcheck disable=SC2086
        ${validity#*:} validate <"$versions" >"$WORK/$scheme.validity"
        validity_args=(--validity "${validity%%:*}=$WORK/$scheme.validity")
    fi
    python3 "$HERE/finalize.py" "$scheme" "$mode" "$pairs" "$versions" "$OUT" "${validity_args[@]}" "${specs[@]}"
}

vectors() {
    case $1 in
    dpkg) generate dpkg primary "dpkg:dpkg_oracle" \
        "dpkg:dpkg_oracle:dpkg --compare-versions, dpkg $(dpkg-query -W -f '${Version}' dpkg)" ;;
    rpm) generate rpm primary "rpm:rpm_oracle" \
        "rpm:rpm_oracle:rpm.ver of python3-rpm $(dpkg-query -W -f '${Version}' python3-rpm)" ;;
    apk) generate apk primary "the apk-tools port:go_oracle apk" \
        "apk-tools-port:go_oracle apk:knqyf263/go-apk-version (Trivy's port of apk-tools 2.x version.c), see scripts/version-vectors/go/go.mod" \
        "scalibr:go_oracle apk-scalibr:osv-scalibr semantic (Alpine), cross-check" \
        "chainguard:go_oracle apk-chainguard:chainguard-dev/go-apk (Wolfi), cross-check" ;;
    semver) generate semver consensus "npm, Go or Cargo:semver_validity" \
        "npm:npm_oracle:npm semver $NPM_SEMVER_VERSION (compare)" \
        "go:go_oracle semver:golang.org/x/mod/semver (Compare; a v prefix added where missing)" \
        "cargo:cargo_oracle:Rust semver crate (cmp_precedence), see scripts/version-vectors/cargo/Cargo.lock" ;;
    pep440) generate pep440 primary "packaging:pep440_oracle" \
        "packaging:pep440_oracle:Python packaging $PACKAGING_VERSION (Version)" ;;
    maven) generate maven primary none \
        "maven:maven_oracle $MAVEN_ARTIFACT_VERSION:maven-artifact $MAVEN_ARTIFACT_VERSION ComparableVersion" \
        "maven-next:maven_oracle $MAVEN_ARTIFACT_CROSS_CHECK:maven-artifact $MAVEN_ARTIFACT_CROSS_CHECK, cross-check" ;;
    rubygems) generate rubygems primary "RubyGems:rubygems_oracle" \
        "rubygems:rubygems_oracle:Gem::Version of RubyGems $(ruby -e 'print Gem::VERSION') (Ruby $(ruby -e 'print RUBY_VERSION'))" ;;
    composer) generate composer primary "composer/semver:composer_oracle" \
        "composer:composer_oracle:composer/semver $(dpkg-query -W -f '${Version}' php-composer-semver) normalize + Comparator" ;;
    nuget) generate nuget primary none \
        "scalibr:go_oracle nuget:osv-scalibr semantic (NuGet), see scripts/version-vectors/go/go.mod" \
        "nuget-core:nuget_core_oracle:NuGet.Core $(dpkg-query -W -f '${Version}' libnuget-core-cil) SemanticVersion, SemVer 1.0 pairs only" ;;
    *) die "unknown scheme $1" ;;
    esac
}

# --- Main ----------------------------------------------------------------------------

install_tools
mkdir -p "$OUT"
for scheme in "${@:-${SCHEMES[@]}}"; do vectors "$scheme"; done

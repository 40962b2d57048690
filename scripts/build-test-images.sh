#!/usr/bin/env bash
# Builds the container images that Berth's end-to-end tests push and pull, as
# OCI image layouts under ${BERTH_CACHE:-$HOME/.cache/berth}/images:
#
#   debian-bookworm:bookworm  Debian 12 rootfs from `debootstrap --variant=minbase`,
#                             one layer; dpkg-query.tsv beside the layout's index.json
#                             lists its packages as the rootfs's dpkg-query reports them
#                             (name, version, architecture, status; tab-separated, sorted)
#   debian-app:v1             test/images/app/Dockerfile on top of it: several
#                             layers, one of them holding whiteouts
#   multiarch:v1              an OCI image index: linux/amd64 (debian-app) and a
#                             tiny linux/arm64 image
#   scan-app:v1               test/images/scan-app/Dockerfile on the Debian base: apt
#                             packages, a Node.js app's node_modules (npm ci), pip-installed
#                             Python distributions and a Go program built with and without
#                             -trimpath, for the scanner's comparison with syft and its
#                             benchmark; dpkg-query.tsv and go-version-m.txt beside the
#                             layout record what the build installed
#   large:v1                  about 1 GB of layers: the Debian base layer, then layers of
#                             incompressible (seeded, so reproducible) files, one of them a
#                             single 448 MiB executable, and a small layer with an npm and a
#                             Python package; written straight to an OCI layout, no buildah.
#                             For the scanner's memory test and benchmark
#
# images.json beside them lists each image with its digest and layer count.
# Each output is rebuilt only when its inputs change (this script, the
# Dockerfile folder, the image below it), so a second run is a quick no-op.
# Delete the images folder to start over.
#
# Needs root. Installs debootstrap, buildah, skopeo and jq with apt if they are missing.
# scan-app also needs Go, npm and python3-venv, and reaches the npm registry, PyPI, the Go
# module proxy and the Debian mirror.
# Builds in a private buildah store (vfs) under the cache, wiped after each run.
#
# Environment:
#   BERTH_CACHE          cache root (default: ~/.cache/berth)
#   BERTH_DEBIAN_MIRROR  mirror for debootstrap (default: the first apt source
#                        of this machine that serves bookworm main)
#   SOURCE_DATE_EPOCH    creation time of the images and of every file in their
#                        layers (default: when the base image was built), which
#                        makes rebuilds from the same rootfs give the same digests
set -euo pipefail

readonly SUITE=bookworm
readonly APP_TAG=v1
readonly MULTIARCH_TAG=v1

# Local names in the private store; FROM in the app Dockerfile uses BASE_NAME.
readonly BASE_NAME=localhost/berth-test/debian:$SUITE
readonly APP_NAME=localhost/berth-test/app:$APP_TAG
readonly TINY_NAME=localhost/berth-test/tiny:$MULTIARCH_TAG
readonly LIST_NAME=localhost/berth-test/multiarch:$MULTIARCH_TAG
readonly SCAN_APP_TAG=v1
readonly SCAN_APP_NAME=localhost/berth-test/scan-app:$SCAN_APP_TAG
readonly LARGE_TAG=v1

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
APP_CONTEXT=$(dirname "$(dirname "$SCRIPT_PATH")")/test/images/app
SCAN_APP_SOURCE=$(dirname "$(dirname "$SCRIPT_PATH")")/test/images/scan-app
readonly SCRIPT_PATH APP_CONTEXT SCAN_APP_SOURCE
readonly OUT=${BERTH_CACHE:-$HOME/.cache/berth}/images
readonly WORK=$OUT/.work
readonly STORAGE=$WORK/storage

log() { printf 'build-test-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# buildah on the private store, so the machine's own images are never touched.
bh() {
    buildah --root "$STORAGE/root" --runroot "$STORAGE/run" --storage-driver vfs "$@"
}

sha256_of_stdin() { sha256sum | cut -d' ' -f1; }

# Names, modes and contents of every file under a folder, mtimes left out.
sha256_of_tree() {
    tar --create --file - --directory "$1" --sort=name --mtime=@0 \
        --owner=0 --group=0 --numeric-owner . | sha256_of_stdin
}

ensure_tools() {
    local -a missing=()
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v buildah >/dev/null || missing+=(buildah)
    command -v skopeo >/dev/null || missing+=(skopeo)
    command -v jq >/dev/null || missing+=(jq)
    [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || missing+=(debian-archive-keyring)
    ((${#missing[@]} == 0)) && return 0

    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Refresh the package lists only when apt cannot find the packages.
    if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Prints the URI of the first enabled apt source of this machine that serves
# "$SUITE main", reading one-line .list files and deb822 .sources files.
debian_mirror() {
    if [[ -n ${BERTH_DEBIAN_MIRROR:-} ]]; then
        echo "$BERTH_DEBIAN_MIRROR"
        return
    fi
    local file uri
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $file ]] || continue
        uri=$(awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
                if ($(i + 1) != suite) next
                for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit }
            }' "$file")
        [[ -n $uri ]] && { echo "$uri"; return; }
    done
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f $file ]] || continue
        uri=$(awk -v suite="$SUITE" '
            function has(list, word,   parts, n, k) {
                n = split(list, parts, " ")
                for (k = 1; k <= n; k++) if (parts[k] == word) return 1
                return 0
            }
            BEGIN { RS = ""; FS = "\n" }
            {
                split("", field)
                for (n = 1; n <= NF; n++) {
                    if ($n ~ /^#/) continue
                    if ($n ~ /^[ \t]/) { field[key] = field[key] " " $n; continue }
                    key = tolower(substr($n, 1, index($n, ":") - 1))
                    field[key] = substr($n, index($n, ":") + 1)
                }
                if (has(tolower(field["enabled"]), "no")) next
                if (has(field["types"], "deb") && has(field["suites"], suite) &&
                    has(field["components"], "main")) {
                    split(field["uris"], uris, " ")
                    print uris[1]
                    exit
                }
            }' "$file")
        [[ -n $uri ]] && { echo "$uri"; return; }
    done
    die "no apt source serves '$SUITE main'; set BERTH_DEBIAN_MIRROR"
}

# Runs "$@" with errexit on and its output in a log file; on failure shows the
# end of the log and exits. (A function called as `f || ...` runs without
# errexit, hence the explicit subshell.)
run_logged() {
    local logfile=$1 rc=0
    shift
    set +e
    (
        set -e
        "$@"
    ) >"$logfile" 2>&1
    rc=$?
    set -e
    if ((rc != 0)); then
        log "$* failed (exit $rc); end of $logfile:"
        tail -n 30 "$logfile" >&2
        exit "$rc"
    fi
}

# Unmounts anything left under a folder, then removes it without crossing into
# other file systems.
remove_tree() {
    local dir=$1 mountpoint
    [[ -e $dir ]] || return 0
    awk -v prefix="$dir/" 'index($5, prefix) == 1 { print $5 }' /proc/self/mountinfo |
        sort -r | while read -r mountpoint; do umount -l "$mountpoint" || true; done
    rm -rf --one-file-system "$dir"
}

fresh_storage() {
    remove_tree "$STORAGE"
    mkdir -p "$STORAGE/root" "$STORAGE/run"
}

cleanup() {
    if [[ -d $STORAGE/root ]]; then
        bh rm --all >/dev/null 2>&1 || true
    fi
    remove_tree "$STORAGE"
    remove_tree "$WORK/tmp"
}

# --- OCI layout helpers ---------------------------------------------------

blob_path() { echo "$1/blobs/${2%%:*}/${2#*:}"; }

# Digest of the manifest or index that index.json tags with $2.
layout_digest() {
    jq -r --arg tag "$2" \
        '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $tag) | .digest' \
        "$1/index.json" 2>/dev/null | head -n 1
}

# Creation time, in epoch seconds, of the image tagged $2 in layout $1.
layout_created_epoch() {
    local manifest config
    manifest=$(blob_path "$1" "$(layout_digest "$1" "$2")")
    config=$(blob_path "$1" "$(jq -r .config.digest "$manifest")")
    date -d "$(jq -r .created "$config")" +%s
}

# An output is current when its layout is complete and was built from $2.
is_current() {
    local name=$1 inputs=$2 stamp=$WORK/stamps/$1
    [[ -f $OUT/$name/index.json && -f $stamp && $(<"$stamp") == "$inputs" ]]
}

# Builds output $1 by running "$3 <tmpdir>", then swaps the finished layout into
# place and records the inputs $2. The stamp goes first and last, so a run
# killed halfway leaves the output marked stale.
build_output() {
    local name=$1 inputs=$2 builder=$3 tmp=$OUT/.$1.partial
    remove_tree "$tmp"
    rm -f "$WORK/stamps/$name"
    run_logged "$WORK/logs/$name.log" "$builder" "$tmp"
    remove_tree "$OUT/$name"
    mv "$tmp" "$OUT/$name"
    echo "$inputs" >"$WORK/stamps/$name"
}

# Loads the image tagged $2 in layout $1 into the private store as $3.
# (`buildah pull oci:...` would name it after the layout path, which is not a
# valid reference once the path has a dot folder like .cache in it.)
load_layout() {
    skopeo copy --quiet "oci:$1:$2" \
        "containers-storage:[vfs@$STORAGE/root+$STORAGE/run]$3"
}

# --- rootfs ---------------------------------------------------------------

# debootstraps a minbase rootfs into the tarball $2 from mirror $1.
bootstrap_rootfs() {
    local mirror=$1 tarball=$2 dir=$WORK/tmp/rootfs
    remove_tree "$dir"
    mkdir -p "$dir"
    debootstrap --variant=minbase --arch="$(dpkg --print-architecture)" "$SUITE" "$dir" "$mirror"

    # Drop what only the bootstrap needed, and what belongs to this host.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
        "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/ldconfig/aux-cache \
        "$dir"/var/cache/debconf/*-old "$dir"/var/lib/dpkg/*-old \
        "$dir"/tmp/* "$dir"/var/tmp/*
    find "$dir"/var/log -type f -delete
    # debootstrap copies these from the host. The runtime bind-mounts over them;
    # a missing /etc/hosts would leak into the first RUN layer built on top.
    : >"$dir"/etc/resolv.conf
    echo localhost >"$dir"/etc/hostname
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$dir"/etc/hosts
    chmod 0644 "$dir"/etc/resolv.conf "$dir"/etc/hostname "$dir"/etc/hosts

    # /dev, /proc and /sys are the runtime's to fill.
    tar --create --file "$tarball.tmp" --directory "$dir" --sort=name --numeric-owner \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' .
    mv "$tarball.tmp" "$tarball"
    remove_tree "$dir"
}

# Makes sure the cached rootfs tarball matches the current bootstrap recipe.
# Only bootstrap_rootfs itself is hashed, so edits elsewhere in this script do
# not cost a new debootstrap.
rootfs_recipe() {
    { declare -f bootstrap_rootfs; echo "$SUITE $(dpkg --print-architecture)"; } | sha256_of_stdin
}

ensure_rootfs() {
    local tarball=$1 recipe
    recipe=$(rootfs_recipe)
    if [[ -f $tarball && -f $tarball.recipe && $(<"$tarball.recipe") == "$recipe" ]]; then
        return 0
    fi
    local mirror
    mirror=$(debian_mirror)
    log "debootstrap $SUITE from $mirror (a minute or two)"
    rm -f "$tarball.recipe"
    run_logged "$WORK/logs/debootstrap.log" bootstrap_rootfs "$mirror" "$tarball"
    echo "$recipe" >"$tarball.recipe"
}

# --- images ---------------------------------------------------------------

build_base() {
    local dest=$1 ctr mnt
    ctr=$(bh from --name berth-base scratch)
    mnt=$(bh mount "$ctr")
    tar --extract --file "$ROOTFS_TARBALL" --directory "$mnt" --numeric-owner \
        --preserve-permissions
    # The package inventory tests' ground truth: the rootfs's own dpkg-query.
    chroot "$mnt" dpkg-query --show \
        --showformat='${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n' |
        LC_ALL=C sort >"$WORK/tmp/dpkg-query.tsv"
    bh umount "$ctr"
    bh config --os linux --arch "$(dpkg --print-architecture)" \
        --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --cmd '["/bin/bash"]' \
        --label org.opencontainers.image.title=berth-test-debian \
        --label "org.opencontainers.image.description=Debian $SUITE minbase (debootstrap)" \
        --label org.opencontainers.image.version="$SUITE" \
        --created-by "debootstrap --variant=minbase $SUITE" \
        "$ctr"
    bh commit --quiet --format oci --timestamp "$EPOCH" --rm "$ctr" "$BASE_NAME"
    bh push --quiet --format oci "$BASE_NAME" "oci:$dest:$SUITE"
    mv "$WORK/tmp/dpkg-query.tsv" "$dest/dpkg-query.tsv"
}

build_app() {
    local dest=$1
    load_layout "$OUT/debian-bookworm" "$SUITE" "$BASE_NAME"
    # --layers: one layer per instruction instead of one for the whole build.
    bh bud --isolation chroot --layers --pull=never --format oci --timestamp "$EPOCH" \
        --file "$APP_CONTEXT/Dockerfile" --tag "$APP_NAME" "$APP_CONTEXT"
    bh push --quiet --format oci "$APP_NAME" "oci:$dest:$APP_TAG"
}

build_multiarch() {
    local dest=$1 ctr arch other_arch
    arch=$(dpkg --print-architecture)
    other_arch=arm64
    [[ $arch == arm64 ]] && other_arch=amd64

    # The native platform is debian-app as stored in its layout, so both
    # outputs share blobs (good for cross-repository mount tests).
    load_layout "$OUT/debian-app" "$APP_TAG" "$APP_NAME"

    # The foreign platform needs no emulator: nothing runs inside it.
    mkdir -p "$WORK/tmp"
    printf 'Berth multiarch test image (linux/%s)\n' "$other_arch" >"$WORK/tmp/hello.txt"
    ctr=$(bh from --name berth-tiny scratch)
    bh copy "$ctr" "$WORK/tmp/hello.txt" /hello.txt
    bh config --os linux --arch "$other_arch" \
        --variant "$([[ $other_arch == arm64 ]] && echo v8)" \
        --label org.opencontainers.image.title=berth-test-tiny \
        --created-by "COPY hello.txt /hello.txt" \
        "$ctr"
    bh commit --quiet --format oci --timestamp "$EPOCH" --rm "$ctr" "$TINY_NAME"

    bh manifest create "$LIST_NAME"
    bh manifest add "$LIST_NAME" "containers-storage:$APP_NAME"
    bh manifest add "$LIST_NAME" "containers-storage:$TINY_NAME"
    bh manifest push --quiet --all --format oci "$LIST_NAME" "oci:$dest:$MULTIARCH_TAG"
}

# scan-app: the Dockerfile's context is prepared in a scratch folder from the sources in
# test/images/scan-app, so nothing is written into the repository.
build_scan_app() {
    local dest=$1 ctx=$WORK/tmp/scan-app
    local tool
    for tool in go npm; do
        command -v "$tool" >/dev/null || die "scan-app needs $tool on PATH"
    done
    remove_tree "$ctx"
    mkdir -p "$ctx/bin"
    cp "$SCAN_APP_SOURCE/Dockerfile" "$ctx/"
    cp -r "$SCAN_APP_SOURCE/node" "$ctx/node"
    (cd "$ctx/node" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
    # pip from a throwaway venv of Debian's python3, whatever python3 comes first on PATH.
    /usr/bin/python3 -m venv "$WORK/tmp/pip" ||
        die "python3 -m venv failed (scripts/install-test-tools.sh installs python3-venv)"
    "$WORK/tmp/pip/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --no-compile --only-binary=:all: --target "$ctx/site-packages" \
        --requirement "$SCAN_APP_SOURCE/python/requirements.txt"
    remove_tree "$WORK/tmp/pip"
    cp -r "$SCAN_APP_SOURCE/go" "$ctx/go"
    # The same program twice: as is, and -trimpath (as release builds often are), which
    # leaves the -ldflags out of the build information.
    (
        cd "$ctx/go"
        export CGO_ENABLED=0
        go build -buildvcs=false -ldflags "-X main.version=1.0.0" -o "$ctx/bin/greeter" .
        go build -buildvcs=false -trimpath -ldflags "-X main.version=1.0.0" \
            -o "$ctx/bin/greeter-trimpath" .
    )

    # The inventory tests' ground truth for the Go programs: what the toolchain says they hold.
    go version -m "$ctx/bin/greeter" "$ctx/bin/greeter-trimpath" >"$WORK/tmp/go-version-m.txt"

    load_layout "$OUT/debian-bookworm" "$SUITE" "$BASE_NAME"
    bh bud --isolation chroot --layers --pull=never --format oci --timestamp "$EPOCH" \
        --file "$ctx/Dockerfile" --tag "$SCAN_APP_NAME" "$ctx"
    bh push --quiet --format oci "$SCAN_APP_NAME" "oci:$dest:$SCAN_APP_TAG"
    scan_app_dpkg_query >"$WORK/tmp/dpkg-query.tsv"
    mv "$WORK/tmp/go-version-m.txt" "$WORK/tmp/dpkg-query.tsv" "$dest/"
    remove_tree "$ctx"
}

# The Debian packages of the built scan-app image, as its own dpkg-query lists them (the
# format of debian-bookworm/dpkg-query.tsv).
scan_app_dpkg_query() {
    local ctr mnt
    ctr=$(bh from --pull=never "$SCAN_APP_NAME")
    mnt=$(bh mount "$ctr")
    chroot "$mnt" dpkg-query --show \
        --showformat='${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n' |
        LC_ALL=C sort
    bh umount "$ctr" >/dev/null
    bh rm "$ctr" >/dev/null
}

# --- large ------------------------------------------------------------------

# random_files DIR COUNT BYTES SEED: COUNT files of BYTES bytes each, named file-0000…, cut
# from one AES-CTR keystream (fast, incompressible, the same for the same seed).
random_files() {
    local dir=$1 count=$2 bytes=$3 key iv
    key=$(printf '%032x' "$4")
    iv=$(printf '%032x' 0)
    mkdir -p "$dir"
    # The zeros are counted before the cipher, which then ends by itself (CTR mode keeps the
    # length); cutting its output instead would kill it with SIGPIPE under pipefail.
    head --bytes=$((count * bytes)) /dev/zero |
        openssl enc -aes-128-ctr -nosalt -K "$key" -iv "$iv" |
        split --bytes="$bytes" --numeric-suffixes --suffix-length=4 - "$dir/file-"
}

# tar_tree TREE: the tree as a tar stream, the same bytes every time.
tar_tree() {
    tar --create --file - --directory "$1" --sort=name --format=gnu --mtime=@"$EPOCH" \
        --owner=0 --group=0 --numeric-owner .
}

# gzip_layer TREE LAYOUT: stores TREE as a gzip layer blob of LAYOUT and prints
# "<blob digest> <diff id> <size>". The tree is read twice (the second time from the page
# cache) rather than teeing one stream into two consumers.
gzip_layer() {
    local tree=$1 layout=$2 tmp=$2/blobs/.layer diff digest
    diff=$(tar_tree "$tree" | sha256_of_stdin)
    tar_tree "$tree" | gzip -1 --no-name >"$tmp"
    digest=$(sha256_of_stdin <"$tmp")
    mv "$tmp" "$layout/blobs/sha256/$digest"
    echo "sha256:$digest sha256:$diff $(stat -c %s "$layout/blobs/sha256/$digest")"
}

# write_blob LAYOUT: stores standard input as a blob and prints "<digest> <size>".
write_blob() {
    local tmp=$1/blobs/.blob digest
    cat >"$tmp"
    digest=$(sha256_of_stdin <"$tmp")
    mv "$tmp" "$1/blobs/sha256/$digest"
    echo "sha256:$digest $(stat -c %s "$1/blobs/sha256/$digest")"
}

build_large() {
    local dest=$1 trees=$WORK/tmp/large base base_manifest base_config
    local -a layers=() diffs=() sizes=()
    remove_tree "$trees"
    mkdir -p "$dest/blobs/sha256" "$trees"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$dest/oci-layout"

    # The Debian base layer as it is, so the inventory has a dpkg database to read.
    base=$OUT/debian-bookworm
    base_manifest=$(blob_path "$base" "$(layout_digest "$base" "$SUITE")")
    base_config=$(blob_path "$base" "$(jq -r .config.digest "$base_manifest")")
    layers+=("$(jq -r '.layers[0].digest' "$base_manifest")")
    sizes+=("$(jq -r '.layers[0].size' "$base_manifest")")
    diffs+=("$(jq -r '.rootfs.diff_ids[0]' "$base_config")")
    cp "$(blob_path "$base" "${layers[0]}")" "$dest/blobs/sha256/"

    # Many small files, a few medium ones, one large executable (which the Go binary analyser
    # streams through), then the language packages.
    random_files "$trees/small/srv/data/small" 4096 $((64 * 1024)) 1
    random_files "$trees/medium/srv/data/medium" 16 $((16 * 1024 * 1024)) 2
    random_files "$trees/single/srv/data" 1 $((448 * 1024 * 1024)) 3
    mv "$trees/single/srv/data/file-0000" "$trees/single/srv/data/blob.bin"
    chmod 0755 "$trees/single/srv/data/blob.bin"
    mkdir -p "$trees/packages/srv/app/node_modules/left-pad" \
        "$trees/packages/usr/local/lib/python3.11/dist-packages/six-1.16.0.dist-info"
    printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}\n' \
        >"$trees/packages/srv/app/node_modules/left-pad/package.json"
    printf 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n' \
        >"$trees/packages/usr/local/lib/python3.11/dist-packages/six-1.16.0.dist-info/METADATA"

    local tree line digest diff size
    for tree in small medium single packages; do
        line=$(gzip_layer "$trees/$tree" "$dest")
        read -r digest diff size <<<"$line"
        layers+=("$digest")
        diffs+=("$diff")
        sizes+=("$size")
        remove_tree "${trees:?}/$tree"
    done

    local created config manifest
    created=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    line=$(jq -n --arg created "$created" --arg arch "$(dpkg --print-architecture)" \
        '{created: $created, architecture: $arch, os: "linux",
          config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
          rootfs: {type: "layers", diff_ids: $ARGS.positional}}' --args "${diffs[@]}" |
        write_blob "$dest")
    read -r config size <<<"$line"
    local -a descriptors=()
    local i
    for i in "${!layers[@]}"; do
        descriptors+=("$(jq -nc --arg digest "${layers[i]}" --argjson size "${sizes[i]}" \
            '{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $digest,
              size: $size}')")
    done
    line=$(jq -n --arg config "$config" --argjson size "$size" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config,
                   size: $size},
          layers: $ARGS.positional}' --jsonargs "${descriptors[@]}" | write_blob "$dest")
    read -r manifest size <<<"$line"
    jq -n --arg digest "$manifest" --argjson size "$size" --arg tag "$LARGE_TAG" \
        '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: $digest, size: $size,
          annotations: {"org.opencontainers.image.ref.name": $tag}}]}' >"$dest/index.json"
    remove_tree "$trees"
}

# large's recipe: only its own functions, so other edits to this script do not cost a
# gigabyte of new layers.
large_recipe() {
    { declare -f random_files tar_tree gzip_layer write_blob build_large; echo "$LARGE_TAG"; } |
        sha256_of_stdin
}

# --- images.json ------------------------------------------------------------

# One images.json entry for the image or index tagged $2 in layout $1.
describe_layout() {
    local name=$1 tag=$2 dir=$OUT/$1 digest manifest details
    digest=$(layout_digest "$dir" "$tag")
    manifest=$(blob_path "$dir" "$digest")
    if jq -e 'has("manifests")' "$manifest" >/dev/null; then
        local entry child
        local -a children=()
        while read -r entry; do
            child=$(blob_path "$dir" "$(jq -r .digest <<<"$entry")")
            children+=("$(jq -c --argjson entry "$entry" '{digest: $entry.digest,
                size: $entry.size, platform: $entry.platform, layers: (.layers | length)}' "$child")")
        done < <(jq -c '.manifests[]' "$manifest")
        details=$(printf '%s\n' "${children[@]}" |
            jq -sc '{layers: (map(.layers) | add), manifests: .}')
    else
        local config
        config=$(blob_path "$dir" "$(jq -r .config.digest "$manifest")")
        details=$(jq -c --slurpfile config "$config" '{layers: (.layers | length),
            platform: ($config[0] | {os, architecture} + if .variant then {variant} else {} end)}' \
            "$manifest")
    fi
    jq -n --arg name "$name" --arg tag "$tag" --arg dir "$dir" --arg digest "$digest" \
        --arg media "$(jq -r .mediaType "$manifest")" --argjson size "$(stat -c %s "$manifest")" \
        --argjson bytes "$(du -sb "$dir/blobs" | cut -f1)" --argjson details "$details" \
        '{name: $name, tag: $tag, dir: $dir, reference: "oci:\($dir):\($tag)", mediaType: $media,
          digest: $digest, size: $size, blobBytes: $bytes} + $details'
}

write_index() {
    local json
    json=$(jq -n '{images: $ARGS.positional}' --jsonargs \
        "$(describe_layout debian-bookworm "$SUITE")" \
        "$(describe_layout debian-app "$APP_TAG")" \
        "$(describe_layout multiarch "$MULTIARCH_TAG")" \
        "$(describe_layout scan-app "$SCAN_APP_TAG")" \
        "$(describe_layout large "$LARGE_TAG")")
    # Rewritten only on change, so a no-op run leaves it untouched.
    if [[ ! -f $OUT/images.json || $(<"$OUT/images.json") != "$json" ]]; then
        echo "$json" >"$OUT/images.json.tmp"
        mv "$OUT/images.json.tmp" "$OUT/images.json"
    fi
}

print_summary_line() {
    local name=$1 state=$2 tag layers bytes digest
    IFS=$'\t' read -r tag layers bytes digest < <(jq -r --arg name "$name" \
        '.images[] | select(.name == $name) | [.tag, .layers, .blobBytes, .digest] | @tsv' \
        "$OUT/images.json")
    printf '%-26s %-6s %2d layer%-1s %7s  %s\n' "$name:$tag" "$state" "$layers" \
        "$( ((layers == 1)) || echo s)" "$(numfmt --to=iec --suffix=B "$bytes")" "$digest"
}

main() {
    local started=$SECONDS
    ((EUID == 0)) || die "must run as root (debootstrap and buildah's vfs store need it)"
    [[ -f $APP_CONTEXT/Dockerfile ]] || die "missing $APP_CONTEXT/Dockerfile"
    ensure_tools
    mkdir -p "$WORK/stamps" "$WORK/logs"
    exec 9>"$WORK/lock"
    flock 9
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export TMPDIR=$WORK/tmp
    mkdir -p "$TMPDIR"

    local script_sum base_inputs app_inputs multi_inputs scan_app_inputs large_inputs
    local -A state=([debian-bookworm]=cached [debian-app]=cached [multiarch]=cached
        [scan-app]=cached [large]=cached)
    script_sum=$(sha256_of_stdin <"$SCRIPT_PATH")

    ROOTFS_TARBALL=$WORK/rootfs-$SUITE-$(dpkg --print-architecture).tar
    base_inputs="script=$script_sum rootfs=$(rootfs_recipe)"
    if ! is_current debian-bookworm "$base_inputs"; then
        ensure_rootfs "$ROOTFS_TARBALL"
        # The tarball's age, so a rebuild from the same rootfs is bit-for-bit equal.
        EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$ROOTFS_TARBALL")}
        fresh_storage
        build_output debian-bookworm "$base_inputs" build_base
        state[debian-bookworm]=built
    fi
    EPOCH=${SOURCE_DATE_EPOCH:-$(layout_created_epoch "$OUT/debian-bookworm" "$SUITE")}

    app_inputs="script=$script_sum context=$(sha256_of_tree "$APP_CONTEXT")"
    app_inputs+=" base=$(layout_digest "$OUT/debian-bookworm" "$SUITE") epoch=$EPOCH"
    if ! is_current debian-app "$app_inputs"; then
        [[ -d $STORAGE/root ]] || fresh_storage
        build_output debian-app "$app_inputs" build_app
        state[debian-app]=built
    fi

    multi_inputs="script=$script_sum app=$(layout_digest "$OUT/debian-app" "$APP_TAG") epoch=$EPOCH"
    if ! is_current multiarch "$multi_inputs"; then
        [[ -d $STORAGE/root ]] || fresh_storage
        build_output multiarch "$multi_inputs" build_multiarch
        state[multiarch]=built
    fi

    scan_app_inputs="script=$script_sum context=$(sha256_of_tree "$SCAN_APP_SOURCE")"
    scan_app_inputs+=" base=$(layout_digest "$OUT/debian-bookworm" "$SUITE") epoch=$EPOCH"
    if ! is_current scan-app "$scan_app_inputs"; then
        [[ -d $STORAGE/root ]] || fresh_storage
        build_output scan-app "$scan_app_inputs" build_scan_app
        state[scan-app]=built
    fi

    large_inputs="recipe=$(large_recipe) base=$(layout_digest "$OUT/debian-bookworm" "$SUITE")"
    large_inputs+=" epoch=$EPOCH"
    if ! is_current large "$large_inputs"; then
        build_output large "$large_inputs" build_large
        state[large]=built
    fi

    write_index
    local name
    for name in debian-bookworm debian-app multiarch scan-app large; do
        print_summary_line "$name" "${state[$name]}"
    done
    printf 'images in %s, total %ds\n' "$OUT" $((SECONDS - started))
}

main "$@"

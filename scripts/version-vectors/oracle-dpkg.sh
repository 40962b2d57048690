#!/usr/bin/env bash
# Oracle for dpkg versions: dpkg --compare-versions.
#   oracle-dpkg.sh compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
#   oracle-dpkg.sh validate < versions         > "valid" or "invalid" per line
# A version dpkg only warns about (one not starting with a digit) is compared, so it counts as
# valid; one it refuses with an error is invalid.
set -euo pipefail

order() {
    if dpkg --compare-versions "$1" lt "$2" 2>/dev/null; then
        echo -1
    elif dpkg --compare-versions "$1" eq "$2" 2>/dev/null; then
        echo 0
    elif dpkg --compare-versions "$1" gt "$2" 2>/dev/null; then
        echo 1
    else
        echo invalid
    fi
}

case ${1:-} in
compare)
    while IFS=$'\t' read -r a b; do order "$a" "$b"; done
    ;;
validate)
    while IFS= read -r v; do
        if [[ $(order "$v" "$v") == 0 ]]; then echo valid; else echo invalid; fi
    done
    ;;
*)
    echo "usage: oracle-dpkg.sh compare|validate" >&2
    exit 2
    ;;
esac

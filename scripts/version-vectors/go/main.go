// Command oracle answers version comparisons with Go implementations, for the test vectors:
//
//	semver:         golang.org/x/mod/semver, the Go toolchain's own ordering of module versions
//	                (a version without its "v" prefix is given one)
//	apk:            github.com/knqyf263/go-apk-version, Trivy's line-by-line port of apk-tools
//	                2.x's version.c. Its known deviations are kept out of the vectors: it takes
//	                "-" followed by anything as a revision (apk-tools only "-r": answered
//	                "invalid" here), and it refuses a version ending in "_", which apk-tools
//	                reads as an empty suffix at the end (answered "skip")
//	apk-scalibr:    github.com/google/osv-scalibr/semantic (Alpine), OSV's ordering (a cross-check)
//	apk-chainguard: github.com/chainguard-dev/go-apk, Wolfi's apk implementation (a cross-check)
//	nuget:          github.com/google/osv-scalibr/semantic (NuGet), OSV's NuGet ordering; it
//	                orders any string, so versions outside NuGet's documented syntax are
//	                answered "invalid" here (a filter, not an oracle of validity)
//
// Usage: oracle SCHEME compare  < "a<TAB>b" lines  > -1, 0, 1, "invalid" or "skip" per line
//
//	oracle SCHEME validate < versions         > "valid", "invalid" or "skip" per line
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	chainguard "github.com/chainguard-dev/go-apk/pkg/apk"
	"github.com/google/osv-scalibr/semantic"
	apkversion "github.com/knqyf263/go-apk-version"
	"golang.org/x/mod/semver"
)

// compareFunc orders two versions, or reports that either is invalid.
type compareFunc func(a, b string) (int, bool)

var oracles = map[string]compareFunc{
	"semver": func(a, b string) (int, bool) {
		a, b = withV(a), withV(b)
		if !semver.IsValid(a) || !semver.IsValid(b) {
			return 0, false
		}
		return semver.Compare(a, b), true
	},
	"apk-scalibr": scalibr("Alpine"),
	"nuget": func(a, b string) (int, bool) {
		if !nugetSyntax(a) || !nugetSyntax(b) {
			return 0, false
		}
		return scalibr("NuGet")(a, b)
	},
	"apk": func(a, b string) (int, bool) {
		if !apkValid(a) || !apkValid(b) {
			return 0, false
		}
		x, errA := apkversion.NewVersion(a)
		y, errB := apkversion.NewVersion(b)
		if errA != nil || errB != nil {
			return 0, false
		}
		return x.Compare(y), true
	},
	"apk-chainguard": func(a, b string) (int, bool) {
		x, errA := chainguard.ParseVersion(a)
		y, errB := chainguard.ParseVersion(b)
		if errA != nil || errB != nil {
			return 0, false
		}
		return chainguard.CompareVersions(x, y), true
	},
}

// apkValid is go-apk-version's check plus apk-tools' rule that "-" must start "-r".
func apkValid(version string) bool {
	for i, r := range version {
		if r == '-' && !strings.HasPrefix(version[i:], "-r") {
			return false
		}
	}
	return apkversion.Valid(version)
}

// nugetVersion is the syntax of NuGet's package version reference: one to four numbers that
// fit a .NET int, dotted release labels, build metadata.
var nugetVersion = regexp.MustCompile(`^(\d+(?:\.\d+){0,3})(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)

func nugetSyntax(version string) bool {
	match := nugetVersion.FindStringSubmatch(version)
	if match == nil {
		return false
	}
	for _, number := range strings.Split(match[1], ".") {
		if _, err := strconv.ParseInt(number, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// scalibr orders versions with OSV's implementation for one ecosystem.
func scalibr(ecosystem string) compareFunc {
	return func(a, b string) (int, bool) {
		x, errA := semantic.Parse(a, ecosystem)
		_, errB := semantic.Parse(b, ecosystem)
		if errA != nil || errB != nil {
			return 0, false
		}
		order, err := x.CompareStr(b)
		return order, err == nil
	}
}

// skipped tells, per oracle, which versions it is known to get wrong.
var skipped = map[string]func(string) bool{
	"apk": func(version string) bool { return strings.HasSuffix(version, "_") },
}

func withV(version string) string {
	if strings.HasPrefix(version, "v") {
		return version
	}
	return "v" + version
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func main() {
	if len(os.Args) != 3 || oracles[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: oracle semver|apk|apk-scalibr|apk-chainguard|nuget compare|validate")
		os.Exit(2)
	}
	compare, mode := oracles[os.Args[1]], os.Args[2]

	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.SplitN(in.Text(), "\t", 2)
		if mode == "validate" {
			fields = []string{fields[0], fields[0]}
		}
		order, ok := compare(fields[0], fields[1])
		skip := skipped[os.Args[1]]
		switch {
		case skip != nil && (skip(fields[0]) || skip(fields[1])):
			fmt.Fprintln(out, "skip")
		case !ok:
			fmt.Fprintln(out, "invalid")
		case mode == "validate":
			fmt.Fprintln(out, "valid")
		default:
			fmt.Fprintln(out, sign(order))
		}
	}
}

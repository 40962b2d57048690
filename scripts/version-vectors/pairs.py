#!/usr/bin/env python3
"""Builds the candidate pairs and the version list of one scheme from its seed file.

Usage: pairs.py SCHEME SEEDS PAIRS_OUT VERSIONS_OUT

A seed file holds versions one per line, in groups separated by blank lines; lines starting
with '#' are comments, and a group headed by a '##' comment is a hand-written family of edge
cases. The pairs are:
  - every pair within an edge-case group or a small group, and for a larger group (versions of
    one package) each version against the next and a sample of other pairs: close versions are
    where orderings get subtle;
  - each seed against two near variants of itself (a suffix appended, a number bumped, a leading
    zero added, a component dropped), so that every seed meets its close neighbours;
  - a few pairs across groups.
The choices are random but seeded with the scheme's name, so the output is the same on every
run. The oracle decides each pair's order later; pairs it refuses are dropped then.
"""
import random
import re
import sys

SUFFIXES = {
    "dpkg": ["~rc1", "~", "+dfsg", "+deb12u1", "-1", ".1", "a", "+b1", "~bpo12+1", "-0", "-1~deb12u1"],
    "apk": ["_rc1", "_p1", "-r1", "a", ".0", "_git20240101", "_alpha", "-r0", "_pre2", "_p1-r2", ".01"],
    "rpm": ["~rc1", "^git1", ".1", "a", "-1", ".el9", "_1", "~", "^", ".0", "-1.el9_3"],
    "semver": ["-rc.1", "-alpha", "-0", "+build.1", "-beta.2", "-1", "+incompatible", "-alpha.10"],
    "pep440": ["rc1", ".post1", ".dev0", "a1", "+local", ".0", "-1", "b2.dev1", "+1.2", "post2"],
    "maven": ["-SNAPSHOT", ".Final", "-rc1", "-1", ".0", "-alpha-1", "-sp1", ".RELEASE", "-jre", "a", "-0"],
    "rubygems": [".pre.1", ".rc1", ".0", ".1", "a", "-1", ".beta", ".0.a", "b2"],
    "composer": ["-dev", "-beta1", "-RC2", ".0", ".1", "-patch1", "-alpha", "-beta.2", "-p1", "-stable"],
    "nuget": ["-beta", "-rc.1", ".0", ".1", "-preview.1.2", "+meta", "-Beta", "-beta.10", "-2", "-alpha.beta"],
}

SMALL_GROUP = 6
CROSS_PAIRS = 80


def read_groups(path):
    """The groups of a seed file, each as (versions, exhaustive)."""
    groups, current, exhaustive = [], [], False
    with open(path, encoding="utf-8") as seeds:
        for raw in seeds:
            line = raw.rstrip("\n")
            if line.startswith("#"):
                exhaustive = exhaustive or line.startswith("##")
                continue
            if line == "":
                if current:
                    groups.append((current, exhaustive))
                current, exhaustive = [], False
            elif line not in current:
                current.append(line)
    if current:
        groups.append((current, exhaustive))
    return groups


def variants(version, scheme, rng):
    """Two near neighbours of a version: one with a suffix, one with a small edit."""
    found = [variant for variant in (edit(version, rng) for _ in range(4)) if variant and variant != version]
    return [version + rng.choice(SUFFIXES[scheme])] + found[:1]


def edit(version, rng):
    runs = list(re.finditer(r"\d+", version))
    choice = rng.randrange(4)
    if not runs:
        return None
    if choice == 0:  # bump the last number
        run = runs[-1]
        return version[: run.start()] + str(int(run.group()) + 1) + version[run.end() :]
    if choice == 1:  # lower a number
        run = rng.choice(runs)
        if int(run.group()) == 0:
            return None
        return version[: run.start()] + str(int(run.group()) - 1) + version[run.end() :]
    if choice == 2:  # a leading zero
        run = rng.choice(runs)
        return version[: run.start()] + "0" + version[run.start() :]
    cut = max(version.rfind("."), version.rfind("-"))  # drop the last component
    return version[:cut] if cut > 0 else None


def main():
    scheme, seeds_path, pairs_path, versions_path = sys.argv[1:5]
    rng = random.Random(f"{scheme}-vectors")
    groups = read_groups(seeds_path)

    pairs = []
    for group, exhaustive in groups:
        if exhaustive or len(group) <= SMALL_GROUP:
            pairs += [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
        else:
            pairs += list(zip(group, group[1:]))
            pairs += [tuple(rng.sample(group, 2)) for _ in range(len(group))]

    seeds = [version for group, _ in groups for version in group]
    mutants = []
    for version in seeds:
        for variant in variants(version, scheme, rng):
            pairs.append((version, variant))
            mutants.append(variant)

    pairs += [tuple(rng.sample(seeds, 2)) for _ in range(CROSS_PAIRS)]

    seen, unique = set(), []
    for a, b in pairs:
        key = (a, b) if a <= b else (b, a)
        if a != b and key not in seen:
            seen.add(key)
            unique.append((a, b) if rng.random() < 0.5 else (b, a))

    with open(pairs_path, "w", encoding="utf-8") as out:
        out.writelines(f"{a}\t{b}\n" for a, b in unique)
    with open(versions_path, "w", encoding="utf-8") as out:
        out.writelines(f"{v}\n" for v in dict.fromkeys(seeds + mutants))


if __name__ == "__main__":
    main()

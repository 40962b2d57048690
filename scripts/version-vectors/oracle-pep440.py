#!/usr/bin/env python3
"""Oracle for PEP 440 versions: packaging.version.Version, the PyPA reference implementation.

    oracle-pep440.py compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
    oracle-pep440.py validate < versions         > "valid" or "invalid" per line
"""
import sys

from packaging.version import InvalidVersion, Version


def parse(text):
    try:
        return Version(text)
    except InvalidVersion:
        return None


def main():
    mode = sys.argv[1]
    for line in sys.stdin:
        if mode == "compare":
            a, b = (parse(v) for v in line.rstrip("\n").split("\t"))
            print("invalid" if a is None or b is None else (a > b) - (a < b))
        else:
            print("invalid" if parse(line.rstrip("\n")) is None else "valid")


main()

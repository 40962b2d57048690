#!/usr/bin/python3
"""Oracle for RPM versions: rpm 4.18's own ordering, through python3-rpm's rpm.ver
([epoch:]version[-release], compared with rpmverCmp).

    oracle-rpm.py compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
    oracle-rpm.py validate < versions         > "valid" or "invalid" per line
"""
import sys

import rpm


def parse(text):
    try:
        return rpm.ver(text)
    except Exception:  # rpm raises ValueError or TypeError for what it cannot parse
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

#!/usr/bin/env python3
"""bake_same.py A B: exit 0 when two payload files hold the same badge payload.

JSON payloads are compared as JSON values (a peer may re-serialize); anything else (compact
JWS/JWT, URL) must match exactly after stripping surrounding whitespace.
"""
import json
import sys


def load(path):
    return open(path, encoding='utf-8').read().strip()


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    if a == b:
        return 0
    try:
        return 0 if json.loads(a) == json.loads(b) else 1
    except ValueError:
        return 1


if __name__ == '__main__':
    sys.exit(main())

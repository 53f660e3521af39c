"""Dispatch ``python -m benchmarks NAME [args...] [--json]`` to ``benchmarks.NAME.run(args)``."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if not argv or argv[0] in {"-h", "--help"}:
        print(f"usage: python -m benchmarks NAME [args] [--json]\navailable: {', '.join(names)}")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in names:
        print(f"error: no benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    as_json = "--json" in rest
    result = importlib.import_module(f"benchmarks.{name}").run([a for a in rest if a != "--json"])
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

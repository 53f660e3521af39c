"""Speed and memory measurements: ``python -m benchmarks NAME [args] --json``.

Each benchmark is a module here with ``run(argv: list[str]) -> dict``; targets live in the
README, never in timed tests, and figures are ratios measured in one run where possible.
"""

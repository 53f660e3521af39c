"""Print the dependencies of pyproject.toml (plus the named extras), one per line, for pip."""

import sys
import tomllib


def requirements(pyproject_path: str, extras: str) -> list[str]:
    with open(pyproject_path, "rb") as f:
        project = tomllib.load(f)["project"]
    reqs = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in filter(None, (e.strip() for e in extras.split(","))):
        if extra not in optional:
            raise SystemExit(f"error: extra {extra!r} is not in {pyproject_path} (have: {', '.join(optional)})")
        reqs.extend(optional[extra])
    return reqs


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")))

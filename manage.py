#!/usr/bin/env python
"""Django's command-line utility for the management plane."""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    from django.core.management import execute_from_command_line

    from contactcenter.site.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # Raised while loading settings (bad port, broken secrets file): one line, no traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

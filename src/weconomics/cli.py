"""The `weconomics` command: Django's management commands plus `serve` and `demo`."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weconomics.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["weconomics", *args])


if __name__ == "__main__":
    main()

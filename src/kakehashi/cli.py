"""The ``kakehashi`` command: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["kakehashi", *sys.argv[1:]])
    except ImproperlyConfigured as error:
        # A missing or wrong setting: say which, without a traceback.
        print(f"kakehashi: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()

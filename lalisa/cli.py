"""The `lalisa` console script: the project's manage.py with its settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lalisa.settings")
    if sys.argv[1:2] == ["demo"]:
        # The demo fills in its environment (its own secret key, plain HTTP) before the
        # settings load: without SECRET_KEY they refuse to.
        from lalisa.worker.management.commands.demo import prepare_environment

        prepare_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

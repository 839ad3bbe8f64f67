"""The `lalisa` console script: the project's manage.py with its settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lalisa.settings")
    if sys.argv[1:2] == ["demo"]:
        # The demo fills in its environment (its own secret key, plain HTTP) before the
        # settings load: without SECRET_KEY they refuse to.
        from lalisa.worker.management.commands.demo import port_from_argv, prepare_environment

        # The port too: the WhatsApp settings point at the demo's own emulator and webhook.
        prepare_environment(port=port_from_argv(sys.argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

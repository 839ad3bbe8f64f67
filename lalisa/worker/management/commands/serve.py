"""`lalisa serve`: production in one command — gunicorn and one task worker as children.

SIGTERM, SIGINT or SIGHUP stops both gracefully and waits for them; if either child dies, the
other is stopped and `serve` exits non-zero, so a supervisor (systemd, Docker) restarts it.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

import gunicorn.config
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Longer than gunicorn's graceful timeout (30 s), so its workers can finish their requests.
STOP_TIMEOUT = 40.0
POLL = 0.2
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


WORKER_NICENESS = 10


def _child_setup() -> None:  # pragma: no cover - runs in the forked child
    # Own process group: a terminal's Ctrl-C reaches only `serve`, which stops each child once.
    os.setpgid(0, 0)
    if sys.platform == "linux":
        # PR_SET_PDEATHSIG: if `serve` is killed outright, the children get SIGTERM.
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def _background_child_setup() -> None:  # pragma: no cover - runs in the forked child
    _child_setup()
    # Under load the web answers Meta first; the worker catches up when the burst is over.
    os.nice(WORKER_NICENESS)


class Command(BaseCommand):
    help = (
        "Produksi: mengumpulkan berkas statis, lalu menjalankan server web (gunicorn) dan "
        "worker tugas sampai SIGTERM/SIGINT, yang menghentikan keduanya dengan rapi."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="HOST:PORT yang didengarkan (bawaan: %(default)s)",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="jumlah proses worker gunicorn (bawaan: 2)"
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="thread per worker gunicorn (bawaan: 4)"
        )

    def handle(self, *, bind, workers, threads, verbosity, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))

        self.signals = 0
        previous = {signum: signal.signal(signum, self.on_signal) for signum in STOP_SIGNALS}
        procs: dict[str, subprocess.Popen] = {}
        dead = None
        try:
            for name, argv in [
                ("web", self.gunicorn_argv(bind, workers, threads)),
                ("worker", [sys.executable, "-m", "lalisa", "db_worker"]),
            ]:
                setup = _child_setup if name == "web" else _background_child_setup
                procs[name] = subprocess.Popen(argv, preexec_fn=setup)  # noqa: S603
            pids = ", ".join(f"{name} pid {proc.pid}" for name, proc in procs.items())
            url = bind if bind.startswith("unix:") else f"http://{bind}/"
            self.stdout.write(
                f"LA-LISA melayani di {url} ({pids}); SIGTERM atau Ctrl-C menghentikannya."
            )
            dead = self.supervise(procs)
        finally:
            # Also on an error here: never leave a child running without its supervisor.
            self.stop(procs)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if dead is not None:
            code = procs[dead].returncode
            raise CommandError(
                f"{dead} exited unexpectedly with code {code}; stopped the rest.",
                returncode=code if code and code > 0 else 1,
            )
        self.stdout.write("LA-LISA berhenti.")

    @staticmethod
    def gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "lalisa.wsgi:application",
            f"--bind={bind}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            "--access-logfile=-",
            # Numbers in search strings and the webhook's verify token are masked.
            "--logger-class=lalisa.logs.GunicornLogger",
            "--graceful-timeout=30",
            # `serve` supervises gunicorn itself; a control socket (newer gunicorn) at a
            # shared default path would also clash between two instances on one host.
            *(["--no-control-socket"] if hasattr(gunicorn.config, "ControlSocketDisable") else []),
        ]

    def on_signal(self, signum, frame):
        self.signals += 1

    def supervise(self, procs: dict[str, subprocess.Popen]) -> str | None:
        """Wait for a stop signal (returns None) or a child's exit (returns its name)."""
        while not self.signals:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    return name
            time.sleep(POLL)
        return None

    def stop(self, procs: dict[str, subprocess.Popen]) -> None:
        """SIGTERM every live child and wait; a further signal or the timeout kills them."""
        live = [proc for proc in procs.values() if proc.poll() is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        signals_seen = self.signals
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(proc.poll() is None for proc in live):
            if self.signals > signals_seen or time.monotonic() > deadline:
                for name, proc in procs.items():
                    if proc.poll() is None:
                        self.stderr.write(f"Killing {name} (pid {proc.pid}).")
                        proc.kill()
                        proc.wait()
                return
            time.sleep(POLL)

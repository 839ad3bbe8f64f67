"""The background worker: periodic jobs once per slot, `db_worker --batch`, `serve`, `apitoken`."""

import datetime as dt
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from lalisa.accounts.models import ApiToken, Role, User
from lalisa.worker import scheduler
from lalisa.worker.management.commands import db_worker
from lalisa.worker.models import ScheduledRun

RUNS: list[str] = []
JOB = "test.record_run"
EVERY = dt.timedelta(minutes=10)
NOW = dt.datetime(2026, 11, 29, 10, 3, tzinfo=dt.UTC)


@task()
def record_run() -> str:
    RUNS.append("ran")
    return "ok"


@pytest.fixture
def job():
    RUNS.clear()
    registered = scheduler.register(JOB, EVERY, record_run)
    yield registered
    scheduler.unregister(JOB)


def queued():
    return DBTaskResult.objects.filter(task_path=record_run.module_path)


class TestScheduler:
    def test_slot_is_now_floored_to_the_interval_in_utc(self, job):
        assert job.slot(NOW) == dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
        wita = dt.timezone(dt.timedelta(hours=8))
        assert job.slot(NOW.astimezone(wita)) == job.slot(NOW)

    def test_enqueues_once_per_slot(self, db, job):
        assert JOB in scheduler.tick(NOW)
        assert JOB not in scheduler.tick(NOW + dt.timedelta(minutes=6))
        assert queued().count() == 1
        assert ScheduledRun.objects.get(job=JOB).slot == job.slot(NOW)

        assert JOB in scheduler.tick(NOW + EVERY)
        assert queued().count() == 2

    def test_slot_taken_by_another_worker_is_skipped(self, db, job):
        ScheduledRun.objects.create(job=JOB, slot=job.slot(NOW))
        assert JOB not in scheduler.tick(NOW)
        assert queued().count() == 0

    def test_race_lost_on_the_unique_key_is_skipped(self, db, job, monkeypatch):
        # The other worker inserts between our pre-check and our insert.
        monkeypatch.setattr(scheduler, "_already_run", lambda slots: set())
        ScheduledRun.objects.create(job=JOB, slot=job.slot(NOW))
        assert JOB not in scheduler.tick(NOW)
        assert queued().count() == 0
        assert ScheduledRun.objects.filter(job=JOB).count() == 1

    def test_periodic_decorator_registers_a_task(self, monkeypatch):
        monkeypatch.setattr(scheduler, "registry", {})
        assert (
            scheduler.periodic("test.decorated", dt.timedelta(hours=1))(record_run) is record_run
        )
        assert scheduler.registry["test.decorated"].task is record_run

    def test_register_refuses_bad_jobs(self, monkeypatch):
        monkeypatch.setattr(scheduler, "registry", {})
        with pytest.raises(TypeError):
            scheduler.register("test.plain", EVERY, lambda: None)
        with pytest.raises(ValueError, match="name"):
            scheduler.register("x" * 65, EVERY, record_run)
        with pytest.raises(ValueError, match="interval"):
            scheduler.register("test.zero", dt.timedelta(0), record_run)
        assert scheduler.registry == {}

    def test_cleanup_keeps_recent_and_current_slots(self, db, job, monkeypatch):
        weekly = scheduler.PeriodicJob("test.weekly", dt.timedelta(days=7), record_run)
        monkeypatch.setitem(scheduler.registry, weekly.name, weekly)
        old = NOW - dt.timedelta(days=4)
        ScheduledRun.objects.create(job=JOB, slot=job.slot(old))
        ScheduledRun.objects.create(job=JOB, slot=job.slot(NOW))
        ScheduledRun.objects.create(job="test.gone", slot=old)
        # A weekly job's current slot may be older than the cut-off: it must stay.
        ScheduledRun.objects.create(job=weekly.name, slot=weekly.slot(NOW))

        assert scheduler.cleanup(NOW, keep=dt.timedelta(days=3)) == 2
        assert set(ScheduledRun.objects.values_list("job", "slot")) == {
            (JOB, job.slot(NOW)),
            (weekly.name, weekly.slot(NOW)),
        }


class TestDbWorker:
    def test_defaults_process_all_queues_without_autoreload(self):
        parser = db_worker.Command().create_parser("lalisa", "db_worker")
        options = parser.parse_args([])
        assert options.queue_name == "*"
        assert options.reload is False
        assert options.tick_interval == 5.0

    def test_batch_ticks_then_runs_what_is_due_and_exits(self, db, job, monkeypatch):
        # Inside the test's transaction the worker's connection check would close the
        # connection; a transactional test instead would flush the migrations' reference data.
        monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
        handler = signal.getsignal(signal.SIGTERM)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

        assert RUNS == ["ran"]
        result = queued().get()
        assert result.status == "SUCCESSFUL"
        assert result.return_value == "ok"
        assert ScheduledRun.objects.filter(job=JOB).exists()
        # The worker's signal handlers do not outlive the command.
        assert signal.getsignal(signal.SIGTERM) == handler

        # Same slot: nothing new to run.
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert RUNS == ["ran"]


class TestApiToken:
    def test_prints_a_token_that_authenticates(self, db):
        user = User.objects.create_user("alice", password="x", role=Role.ADMIN)
        out = io.StringIO()
        call_command("apitoken", "alice", stdout=out)
        token = out.getvalue().strip()
        assert token.startswith("ll_")
        assert ApiToken.authenticate(token) == user

    def test_refuses_an_unknown_user(self, db):
        with pytest.raises(CommandError, match="tidak ditemukan"):
            call_command("apitoken", "nobody")
        assert not ApiToken.objects.exists()


# `lalisa serve` as a deployment runs it: a real process with gunicorn and a worker.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve")
    # SQLite in a temporary directory, and the project's settings, not the test run's.
    cleared = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update(
        SECRET_KEY="serve-test-key-not-for-production-0123456789abcdefghij",
        LALISA_DATA_DIR=str(data_dir),
        DEBUG="0",
        LALISA_HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "-m", "lalisa", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    return env


def start_serve(env, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "lalisa", "serve", f"--bind=127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"web pid (\d+), worker pid (\d+)", log.read_text())
        if match:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    assert resp.status == 200
                    return proc, int(match[1]), int(match[2])
            except OSError:
                pass
        assert proc.poll() is None, log.read_text()
        time.sleep(0.2)
    proc.kill()
    pytest.fail("serve did not come up:\n" + log.read_text())


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_serve_stops_both_children_on_sigterm(serve_env, tmp_path):
    proc, web, worker = start_serve(serve_env, tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=45) == 0
    assert gone(web) and gone(worker)


def test_serve_exits_non_zero_when_a_child_dies(serve_env, tmp_path):
    proc, web, worker = start_serve(serve_env, tmp_path)
    os.kill(worker, signal.SIGKILL)
    assert proc.wait(timeout=45) != 0
    assert gone(web)
    assert "worker exited unexpectedly" in (tmp_path / "serve.log").read_text()

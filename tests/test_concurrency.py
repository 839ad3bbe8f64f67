"""Two people acting on the same complaint at once: one wins, the other is told why.

These run with real transactions and one database connection per thread."""

import threading
import time

import pytest
from django.db import connection, connections

from lalisa.complaints import workflow
from lalisa.complaints.errors import TransitionRefused
from lalisa.complaints.models import Complaint, Event

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back(django_db_blocker):
    """A transactional test leaves the database flushed. When the suite is split across
    processes, database tests may follow in this one: give them back what the migrations
    loaded (regions, categories, texts)."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)


def race(*calls):
    """Run the calls in threads released together; return their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def slow_lock(monkeypatch):
    """Hold the row a little after locking it, so the two steps surely overlap."""
    real = workflow._lock

    def held(complaint):
        row = real(complaint)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(workflow, "_lock", held)


def test_two_admins_verify_at_once(file, admin, slow_lock):
    from lalisa.accounts.models import Role
    from tests.conftest import make_user

    other_admin = make_user("gita", Role.ADMIN)
    complaint = file()
    results = race(
        lambda: workflow.verify(Complaint.objects.get(pk=complaint.pk), actor=admin),
        lambda: workflow.verify(Complaint.objects.get(pk=complaint.pk), actor=other_admin),
    )
    won = [r for r in results if isinstance(r, Complaint)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], TransitionRefused)
    assert "Diverifikasi" in str(lost[0])
    assert Event.objects.filter(complaint=complaint, kind="verify").count() == 1


def test_reject_and_verify_race(file, admin, slow_lock):
    from lalisa.accounts.models import Role
    from tests.conftest import make_user

    other_admin = make_user("gita", Role.ADMIN)
    complaint = file()
    results = race(
        lambda: workflow.reject(
            Complaint.objects.get(pk=complaint.pk), actor=admin, reason="Tidak jelas"
        ),
        lambda: workflow.verify(Complaint.objects.get(pk=complaint.pk), actor=other_admin),
    )
    assert sum(isinstance(r, Complaint) for r in results) == 1
    assert sum(isinstance(r, TransitionRefused) for r in results) == 1
    final = Complaint.objects.get(pk=complaint.pk)
    changes = Event.objects.filter(complaint=complaint).exclude(kind="file")
    assert changes.count() == 1 and changes.get().to_status == final.status


def test_ticket_numbers_stay_unique_under_concurrent_filing(file):
    def many():
        return [file().code for _ in range(5)]

    results = race(many, many, many)
    codes = [code for batch in results for code in batch]
    assert all(isinstance(b, list) for b in results), results
    assert len(codes) == len(set(codes)) == 15
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 16))


def test_database_is_the_one_under_test():
    # Guards the suite's premise: both engines are exercised by the test command.
    assert connection.vendor in {"sqlite", "postgresql"}

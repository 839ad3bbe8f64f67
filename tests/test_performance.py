"""Members' performance (/kinerja/): every figure against a count made here over seeded
data, a hand-made month whose figures are known, sorting, the CSV and Excel exports read
back, and who may see it."""

import csv
import datetime as dt
import io
import math
from collections import defaultdict

import openpyxl
import pytest
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    Complaint,
    Dispatch,
    Event,
    Priority,
    Rating,
)
from lalisa.reports import dayrange, performance
from lalisa.timefmt import WITA
from tests import seeded as seeded_data
from tests.conftest import make_user

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=WITA)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """500 complaints over the two months before NOW, with the demo staff."""
    with django_db_blocker.unblock():
        seeded_data.seed(500, months=2, seed=11, now=NOW)
    yield
    with django_db_blocker.unblock():
        seeded_data.wipe()


# --- the independent count --------------------------------------------------------------


def _minutes(start, end):
    return math.floor((end - start).total_seconds() / 60)


def _median(values):
    values = sorted(values)
    return values[math.ceil(len(values) / 2) - 1] if values else None


def _late(d: Dispatch, now) -> bool:
    c = d.complaint
    if c.due_on_site_at and (d.arrived_at or d.replaced_at or now) > c.due_on_site_at:
        return True
    return bool(c.due_done_at and (d.completed_at or d.replaced_at or now) > c.due_done_at)


def expected(first: dt.date, last: dt.date, now) -> dict:
    """Per team name, officer username and admin username: the figures, row by row."""

    def inside(moment):
        return first <= moment.astimezone(WITA).date() <= last

    def blank():
        return {"n": 0, "accept": [], "arrive": [], "done": 0, "scores": [], "late": 0}

    teams, officers = defaultdict(blank), defaultdict(blank)
    arrivers = {
        e.complaint_id: e.actor_user.username
        for e in Event.objects.filter(kind="arrive").select_related("actor_user")
    }
    for d in Dispatch.objects.select_related("team", "complaint", "accepted_by", "completed_by"):
        if not inside(d.dispatched_at):
            continue
        late = _late(d, now)
        scores = list(Rating.objects.filter(complaint=d.complaint).values_list("score", flat=True))
        t = teams[d.team.name]
        t["n"] += 1
        t["late"] += late
        if d.accepted_at:
            t["accept"].append(_minutes(d.dispatched_at, d.accepted_at))
        if d.arrived_at:
            t["arrive"].append(_minutes(d.dispatched_at, d.arrived_at))
        if d.completed_at:
            t["done"] += 1
            t["scores"] += scores
        credited = set()
        if d.accepted_by:
            o = officers[d.accepted_by.username]
            o["n"] += 1
            o["accept"].append(_minutes(d.dispatched_at, d.accepted_at))
            credited.add(d.accepted_by.username)
        if d.arrived_at:
            who = arrivers[d.complaint_id]
            officers[who]["arrive"].append(_minutes(d.dispatched_at, d.arrived_at))
            credited.add(who)
        if d.completed_by:
            o = officers[d.completed_by.username]
            o["done"] += 1
            o["scores"] += scores
            credited.add(d.completed_by.username)
        for who in credited:
            officers[who]["late"] += late

    admins = defaultdict(lambda: {"verified": 0, "times": [], "rejected": 0, "referred": 0})
    for e in Event.objects.filter(actor_user__role=Role.ADMIN).select_related(
        "actor_user", "complaint"
    ):
        if not inside(e.created_at):
            continue
        a = admins[e.actor_user.username]
        if e.kind == "verify":
            a["verified"] += 1
            a["times"].append(_minutes(e.complaint.received_at, e.created_at))
        elif e.kind == "reject":
            a["rejected"] += 1
        elif e.kind == "refer":
            a["referred"] += 1
    return {"teams": teams, "officers": officers, "admins": admins}


def _check_field_row(row, e):
    assert row.dispatches == e["n"], row.name
    assert row.accept == _median(e["accept"]), row.name
    assert row.arrive == _median(e["arrive"]), row.name
    assert row.completed == e["done"], row.name
    assert row.ratings == len(e["scores"]), row.name
    if e["scores"]:
        assert row.rating == pytest.approx(sum(e["scores"]) / len(e["scores"]))
    else:
        assert row.rating is None
    assert row.overdue == e["late"], row.name


PERIODS = {
    "october": (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    "november": (dt.date(2026, 11, 1), dt.date(2026, 11, 20)),
    "one_day": (dt.date(2026, 11, 2), dt.date(2026, 11, 2)),
}


@pytest.mark.parametrize("name", list(PERIODS))
def test_figures_match_an_independent_count(seeded, db, name):
    first, last = PERIODS[name]
    viewer = User.objects.get(username="demo-pimpinan")
    got = performance.figures(viewer, dayrange.DayRange(first, last), now=NOW)
    want = expected(first, last, NOW)

    teams = {r.name: r for r in got.teams}
    assert set(want["teams"]) <= set(teams)
    for name_, row in teams.items():
        _check_field_row(row, want["teams"].get(name_) or expected_blank())

    usernames = dict(User.objects.values_list("pk", "username"))
    officers = {usernames[r.key]: r for r in got.officers}
    assert set(want["officers"]) <= set(officers)
    assert {u.username for u in User.objects.filter(role=Role.TRC, is_active=True)} <= set(
        officers
    )
    for username, row in officers.items():
        _check_field_row(row, want["officers"].get(username) or expected_blank())

    admins = {usernames[r.key]: r for r in got.admins}
    for username, row in admins.items():
        e = want["admins"].get(
            username, {"verified": 0, "times": [], "rejected": 0, "referred": 0}
        )
        assert row.verified == e["verified"]
        assert row.verify == _median(e["times"])
        assert row.rejected == e["rejected"] and row.referred == e["referred"]
    if name == "october":
        # The seeded month exercises the figures.
        assert sum(r.dispatches for r in got.teams) > 50
        assert sum(r.overdue for r in got.teams) > 0
        assert sum(r.ratings for r in got.officers) > 10
        assert sum(r.verified for r in got.admins) > 50


def expected_blank():
    return {"n": 0, "accept": [], "arrive": [], "done": 0, "scores": [], "late": 0}


def test_team_totals_add_up_to_the_dispatches(seeded, db):
    first, last = PERIODS["october"]
    period = dayrange.DayRange(first, last)
    got = performance.figures(User.objects.get(username="demo-kabid"), period, now=NOW)
    in_period = Dispatch.objects.filter(
        dispatched_at__gte=period.start, dispatched_at__lt=period.end
    )
    assert sum(r.dispatches for r in got.teams) == in_period.count()
    assert sum(r.dispatches for r in got.officers) == in_period.exclude(accepted_by=None).count()
    assert sum(r.completed for r in got.officers) == in_period.exclude(completed_by=None).count()


# --- a hand-made June -------------------------------------------------------------------


def at(day, hour, minute=0):
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def june(db, file, admin, kabid, trc, trc_b, team_a, team_b, citizen, other_citizen):
    """Three complaints handled in June 2026 (times set after the steps), one rejected.

    c1: team A; accepted by candra after 10 min; arrival (50 min) and completion by
        "gilang"; rated 5. c2: team A; candra accepts (20 min), arrives after 65 min, past
        the on-site due time, completes; rated 3. c3: team B never accepts and is replaced
        after the on-site due time; team A, candra accepts in 5 min, not yet on site.
    Verified by alya after 30, 60 and 90 minutes; "hana" (admin) rejects a fourth."""
    gilang = make_user("gilang", Role.TRC, team=team_a)
    hana = make_user("hana", Role.ADMIN)
    c1 = file()
    c2 = file(actor=other_citizen)
    c3 = file(priority=Priority.URGENT)
    c4 = file()
    for c in (c1, c2, c3):
        workflow.verify(c, actor=admin)
        workflow.dispatch(c, actor=kabid, team=team_a if c is not c3 else team_b)
    workflow.accept(c1, actor=trc)
    workflow.arrive(c1, actor=gilang)
    workflow.complete(c1, actor=gilang, note="Sudah ditertibkan", outcome="teguran_lisan")
    workflow.rate(c1, actor=citizen, score=5)
    workflow.accept(c2, actor=trc)
    workflow.arrive(c2, actor=trc)
    workflow.complete(c2, actor=trc, note="Sudah ditegur", outcome="teguran_lisan")
    workflow.rate(c2, actor=other_citizen, score=3)
    workflow.dispatch(c3, actor=kabid, team=team_a)
    workflow.accept(c3, actor=trc)
    workflow.reject(c4, actor=hana, reason="Bukan kewenangan Satpol PP")

    far = at(30, 23)  # no done-due time passes in June
    for c, day in ((c1, 10), (c2, 11), (c3, 12)):
        Complaint.objects.filter(pk=c.pk).update(
            received_at=at(day, 8), due_done_at=far, due_on_site_at=None
        )
    Complaint.objects.filter(pk=c2.pk).update(due_on_site_at=at(11, 9, 45))
    Complaint.objects.filter(pk=c3.pk).update(due_on_site_at=at(12, 10, 15))
    Complaint.objects.filter(pk=c4.pk).update(received_at=at(13, 8))
    for c, day, minutes in ((c1, 10, 30), (c2, 11, 60), (c3, 12, 90)):
        Event.objects.filter(complaint=c, kind="verify").update(
            created_at=at(day, 8) + dt.timedelta(minutes=minutes)
        )
    Event.objects.filter(complaint=c4, kind="reject").update(created_at=at(13, 9))
    d1 = Dispatch.objects.get(complaint=c1)
    Dispatch.objects.filter(pk=d1.pk).update(
        dispatched_at=at(10, 9), accepted_at=at(10, 9, 10), arrived_at=at(10, 9, 50),
        completed_at=at(10, 10, 30),
    )  # fmt: skip
    d2 = Dispatch.objects.get(complaint=c2)
    Dispatch.objects.filter(pk=d2.pk).update(
        dispatched_at=at(11, 9), accepted_at=at(11, 9, 20), arrived_at=at(11, 10, 5),
        completed_at=at(11, 11),
    )  # fmt: skip
    Dispatch.objects.filter(complaint=c3, team=team_b).update(
        dispatched_at=at(12, 10), replaced_at=at(12, 10, 30)
    )
    Dispatch.objects.filter(complaint=c3, team=team_a).update(
        dispatched_at=at(12, 10, 30), accepted_at=at(12, 10, 35)
    )
    return {"gilang": gilang, "hana": hana}


JUNE = {"dari": "2026-06-01", "sampai": "2026-06-30"}


def test_hand_made_month(june, pimpinan, team_a, team_b, trc, trc_b, admin):
    got = performance.figures(
        pimpinan, dayrange.DayRange(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    )
    teams = {r.name: r for r in got.teams}
    a, b = teams["TRC Paringin"], teams["TRC Halong"]
    assert (a.dispatches, a.accept, a.arrive, a.completed) == (3, 10, 50, 2)
    assert (a.rating, a.ratings, a.overdue) == (4.0, 2, 2)
    assert (b.dispatches, b.accept, b.arrive, b.completed, b.ratings, b.overdue) == (
        1, None, None, 0, 0, 1,
    )  # fmt: skip
    officers = {r.key: r for r in got.officers}
    candra, gilang, dedi = officers[trc.pk], officers[june["gilang"].pk], officers[trc_b.pk]
    assert (candra.dispatches, candra.accept, candra.arrive, candra.completed) == (3, 10, 65, 1)
    assert (candra.rating, candra.ratings, candra.overdue) == (3.0, 1, 2)
    assert candra.team == "TRC Paringin"
    assert (gilang.dispatches, gilang.accept, gilang.arrive, gilang.completed) == (0, None, 50, 1)
    assert (gilang.rating, gilang.overdue) == (5.0, 0)
    assert (dedi.dispatches, dedi.completed, dedi.overdue) == (0, 0, 0)
    admins = {r.key: r for r in got.admins}
    alya, hana = admins[admin.pk], admins[june["hana"].pk]
    assert (alya.verified, alya.verify, alya.rejected) == (3, 60, 0)
    assert (hana.verified, hana.verify, hana.rejected) == (0, None, 1)


def test_page_shows_indonesian_durations_and_numbers(client, june, kabid):
    client.force_login(kabid)
    response = client.get("/kinerja/", JUNE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 Juni 2026 – 30 Juni 2026" in html
    officers = next(t for t in response.context["tables"] if t["name"] == "officers")
    candra = next(
        dict(r["cells"]) for r in officers["rows"] if dict(r["cells"])["Petugas"] == "Candra"
    )
    assert candra["Median waktu tiba di lokasi"] == "1 jam 5 menit"
    assert candra["Median waktu terima tugas"] == "10 menit"
    assert candra["Rata-rata nilai warga"] == "3,0"
    assert candra["Tim"] == "TRC Paringin"


def _names(response, table: str) -> list[str]:
    rows = next(t for t in response.context["tables"] if t["name"] == table)["rows"]
    return [r["cells"][0][1] for r in rows]


def test_sorting_by_a_column(client, june, pimpinan):
    client.force_login(pimpinan)
    down = _names(client.get("/kinerja/", {**JUNE, "sort": "teams:-dispatches"}), "teams")
    assert down[:2] == ["TRC Paringin", "TRC Halong"]
    up = _names(client.get("/kinerja/", {**JUNE, "sort": "teams:dispatches"}), "teams")
    assert up[-2:] == ["TRC Halong", "TRC Paringin"]
    # Rows without a median stay last whichever way.
    for sort in ("officers:accept", "officers:-accept"):
        names = _names(client.get("/kinerja/", {**JUNE, "sort": sort}), "officers")
        assert names[0] == "Candra", sort
    by_name = _names(client.get("/kinerja/", {**JUNE, "sort": "officers:-name"}), "officers")
    assert by_name == sorted(by_name, key=str.casefold, reverse=True)
    # The header link turns the order round.
    response = client.get("/kinerja/", {**JUNE, "sort": "teams:-dispatches"})
    header = next(t for t in response.context["tables"] if t["name"] == "teams")["headers"][1]
    assert header["state"] == "descending" and "sort=teams%3Adispatches" in header["url"]
    # Nonsense is ignored.
    assert client.get("/kinerja/", {**JUNE, "sort": "x:;drop"}).status_code == 200


def test_csv_export_reads_back(client, june, admin):
    client.force_login(admin)
    response = client.get("/kinerja/", {**JUNE, "format": "csv", "table": "officers"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "kinerja-petugas-20260601-20260630.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Petugas", "Tim", "Tugas diterima", "Median waktu terima tugas (menit)",
    ]  # fmt: skip
    candra = next(r for r in rows if r[0] == "Candra")
    assert candra == ["Candra", "TRC Paringin", "3", "10", "65", "1", "3.0", "1", "2"]
    gilang = next(r for r in rows if r[0] == "Gilang")
    assert gilang[3] == "" and gilang[5] == "1"
    teams = client.get("/kinerja/", {**JUNE, "format": "csv", "table": "teams"})
    first = list(csv.reader(io.StringIO(teams.content.decode("utf-8-sig"))))
    assert first[0][0] == "Tim" and any(r[0] == "TRC Halong" for r in first)


def test_xlsx_export_reads_back(client, june, pimpinan, admin):
    client.force_login(pimpinan)
    response = client.get("/kinerja/", {**JUNE, "format": "xlsx", "sort": "teams:-dispatches"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tim", "Petugas", "Admin", "Keterangan"]
    teams = list(book["Tim"].iter_rows(values_only=True))
    assert teams[0][0] == "Tim" and teams[0][3] == "Median waktu tiba di lokasi (menit)"
    assert teams[1] == ("TRC Paringin", 3, 10, 50, 2, 4, 2, 2)
    assert teams[2][0] == "TRC Halong" and teams[2][2] is None
    admins = {r[0]: r for r in book["Admin"].iter_rows(min_row=2, values_only=True)}
    assert admins[str(admin)][1:3] == (3, 60)
    assert "Juni 2026" in book["Keterangan"]["A1"].value


# --- who may ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get("/kinerja/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=/kinerja/")


@pytest.mark.parametrize("persona", ["trc", "superadmin"])
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_other_roles_are_refused_pages_and_exports(client, request, june, persona, fmt):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/kinerja/", {**JUNE, "format": fmt})
    assert response.status_code == 403
    assert "Gilang" not in response.content.decode(errors="replace")


@pytest.mark.parametrize("persona", ["admin", "kabid", "pimpinan"])
def test_report_roles_see_all_three_tables(client, request, june, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/kinerja/", JUNE)
    assert [t["name"] for t in response.context["tables"]] == ["teams", "officers", "admins"]
    assert "Gilang" in response.content.decode()


def test_default_period_is_this_month(client, pimpinan):
    client.force_login(pimpinan)
    period = client.get("/kinerja/").context["period"]
    today = timezone.now().astimezone(WITA).date()
    assert (period.first, period.last) == (today.replace(day=1), today)


def test_view_matches_the_count_for_a_seeded_month(seeded, client, db):
    client.force_login(User.objects.get(username="demo-admin"))
    response = client.get("/kinerja/", {"dari": "2026-10-01", "sampai": "2026-10-31"})
    want = expected(dt.date(2026, 10, 1), dt.date(2026, 10, 31), timezone.now())
    teams = next(t for t in response.context["tables"] if t["name"] == "teams")["rows"]
    for row in teams:
        cells = dict(row["cells"])
        e = want["teams"].get(cells["Tim"]) or expected_blank()
        assert cells["Penugasan masuk"] == f"{e['n']:,}".replace(",", ".")
        assert cells["Selesai ditangani"] == f"{e['done']:,}".replace(",", ".")
        assert cells["Terlambat"] == str(e["late"])

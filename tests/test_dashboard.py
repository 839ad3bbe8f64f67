"""The dashboard (/dasbor/): who may see it, its numbers are summary()'s, and every number
links to the staff inbox filtered to exactly the complaints it counts."""

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from lalisa.accounts.models import Role, User
from lalisa.complaints import workflow
from lalisa.complaints.models import (
    OPEN_STATUSES,
    Category,
    Complaint,
    Rating,
    Source,
)
from lalisa.reports import figures, summary
from lalisa.reports.dashboard import choose_period
from lalisa.timefmt import WITA
from tests import seeded as seeded_data
from tests.conftest import make_user

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=WITA)
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
PARAMS = {"dari": START.isoformat(), "sampai": END.isoformat()}
URL = "/dasbor/"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """600 complaints over three months before NOW (one without a kecamatan)."""
    with django_db_blocker.unblock():
        seeded_data.seed(600, months=3, seed=3, now=NOW)
        workflow.file_complaint(
            actor=User.objects.get(username="demo-admin"),
            category=Category.objects.get(code="lainnya"),
            description="Lampu jalan mati, lokasi belum jelas",
            source=Source.PHONE,
            received_at=dt.datetime(2026, 9, 12, 21, 5, tzinfo=WITA),
        )
        summary.rebuild()
    yield
    with django_db_blocker.unblock():
        seeded_data.wipe()


@pytest.fixture
def leader(seeded, db):
    return User.objects.get(username="demo-pimpinan")


class _Links(HTMLParser):
    """Every <a> of a page: (href, text, id), and the <script> tags."""

    def __init__(self):
        super().__init__()
        self.links, self.scripts, self._open = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._open = [attrs.get("href", ""), "", attrs.get("id")]
        if tag == "script":
            self.scripts.append(attrs)

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, text, ident = self._open
            self.links.append((unescape(href), text.strip(), ident))
            self._open = None


def _page(client, params=PARAMS):
    response = client.get(URL, params)
    assert response.status_code == 200
    parser = _Links()
    parser.feed(response.content.decode())
    return response, parser


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _inbox(client, href):
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["page"].paginator


# --- who -------------------------------------------------------------------------------


def test_anonymous_goes_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", [Role.TRC, Role.SUPERADMIN])
def test_roles_without_reports_are_refused(client, db, team_a, role):
    user = make_user("tanpa-akses", role, team=team_a if role == Role.TRC else None)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Dasbor hanya untuk admin, Kabid, dan pimpinan." in html
    assert "Aduan masuk" not in html and 'id="dash-data"' not in html


@pytest.mark.parametrize("username", ["demo-admin", "demo-kabid", "demo-pimpinan"])
def test_admin_kabid_and_pimpinan_see_the_figures(client, seeded, db, username):
    client.force_login(User.objects.get(username=username))
    response, _ = _page(client)
    s = response.context["s"]
    assert (s.start, s.end) == (START, END)
    assert s.received > 100
    assert "Aduan masuk" in response.content.decode()


def test_an_inactive_leader_is_refused(client, leader):
    leader.is_active = False
    leader.save()
    client.force_login(leader)
    assert client.get(URL).status_code in (302, 403)


# --- the numbers ---------------------------------------------------------------------


def test_the_numbers_on_the_page_are_the_summary(client, leader):
    client.force_login(leader)
    response, page = _page(client)
    s = figures.summary(START, END)
    by_id = {ident: text for _, text, ident in page.links if ident}
    assert _number(by_id["kpi-received"]) == s.received
    assert _number(by_id["kpi-previous"]) == s.previous_received
    assert _number(by_id["kpi-handled"]) == s.handled
    assert _number(by_id["kpi-ratings"]) == s.ratings.count
    html = response.content.decode()
    change = s.received - s.previous_received
    assert f"{'+' if change > 0 else ''}{change}" in html
    average = f"{s.ratings.average:.1f}".replace(".", ",")
    assert re.search(rf'id="kpi-average" href="[^"]+">{average}<small>', html)
    # Each table row: its label and count, in the summary's order.
    for rows in (s.by_status, s.by_category, s.by_kecamatan, s.by_outcome):
        for row in rows:
            assert re.search(
                rf"<td>{re.escape(row.label)}</td><td class=\"num\"><a href=\"[^\"]+\">"
                rf"{row.n:,}</a>".replace(",", "."),
                html,
            ), row
    # The weekday x hour grid, cell by cell (a dot where there are none).
    cells = re.findall(r'<td class="h(\d)">(?:<a [^>]+>(\d+)</a>|<span [^>]+>·</span>)', html)
    assert len(cells) == 24 * 7
    shown = [int(n) if n else 0 for _, n in cells]
    assert shown == [s.by_weekday_hour[d][h] for h in range(24) for d in range(7)]
    # Stage times as people say them, SLA shares with a comma.
    from lalisa.monthly import numbers

    for code, label in figures.STAGE_LABELS.items():
        d, sla = s.durations[code], s.sla[code]
        row = re.search(rf"<td data-label=\"Tahap\">{label}</td>(.*?)</tr>", html, re.S).group(1)
        assert numbers.duration(d.median_minutes) in row
        assert numbers.duration(d.p90_minutes) in row
        assert numbers.percent(sla.share) in row
        assert re.search(r"\d+ (jam|menit|hari)", row)
    assert response.context["s"] == s or response.context["s"].received == s.received


def test_durations_read_as_hours_and_minutes():
    from lalisa.monthly import numbers

    assert numbers.duration(133) == "2 jam 13 menit"
    assert numbers.duration(45) == "45 menit"
    assert numbers.duration(None) == "-"


def test_every_inbox_link_lists_the_complaints_it_counts(client, leader):
    client.force_login(leader)
    _, page = _page(client)
    inbox = [(href, text) for href, text, _ in page.links if href.startswith("/?")]
    assert len(inbox) > 150  # status, category, kecamatan, hours, stages, ratings…
    checked = 0
    for href, text in inbox:
        if not re.fullmatch(r"[\d.]+", text):
            continue  # a median or p90: links to the complaints it is measured over
        params = parse_qs(urlsplit(href).query)
        paginator = _inbox(client, href)
        if "rating" in params:
            # Ratings are counted one by one; a complaint may carry the reporter's and a
            # supporter's: the list shows each complaint once.
            assert 0 < paginator.count <= _number(text) or _number(text) == 0, href
        else:
            assert paginator.count == _number(text), href
        checked += 1
    assert checked > 150


def _received_in_period():
    lo = dt.datetime.combine(START, dt.time.min, WITA)
    hi = dt.datetime.combine(END + dt.timedelta(days=1), dt.time.min, WITA)
    return Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi)


def _listed(client, href) -> set[int]:
    return {c.pk for c in _inbox(client, href).object_list}


def _href(page, **wanted) -> str:
    for href, _, _ in page.links:
        query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
        if href.startswith("/?") and query == {**PARAMS, **wanted}:
            return href
    raise AssertionError(f"no link with {wanted}")


def test_links_list_exactly_the_complaints_counted(client, leader):
    client.force_login(leader)
    _, page = _page(client)
    rows = list(_received_in_period())
    now = timezone.now()

    def ids(pred):
        return {c.pk for c in rows if pred(c)}

    assert _listed(client, _href(page, status="closed")) == ids(lambda c: c.status == "closed")
    assert _listed(client, _href(page, category="pkl")) == ids(lambda c: c.category.code == "pkl")
    assert _listed(client, _href(page, kecamatan="tanpa")) == ids(lambda c: not c.kecamatan_id)
    assert len(ids(lambda c: not c.kecamatan_id)) == 1
    assert _listed(client, _href(page, selesai="1")) == ids(
        lambda c: c.status in ("done", "closed")
    )
    # Saturday 21.00–21.59 WITA (weekday 6 in ISO numbering).
    local = {c.pk: c.received_at.astimezone(WITA) for c in rows}
    assert _listed(client, _href(page, hari="6", jam="21")) == {
        pk for pk, t in local.items() if t.isoweekday() == 6 and t.hour == 21
    }
    assert _listed(client, _href(page, tercapai="arrive")) == ids(lambda c: c.on_site_at)
    assert _listed(client, _href(page, sla="verify-ok")) == ids(
        lambda c: c.verified_at and c.due_verify_at and c.verified_at <= c.due_verify_at
    )
    late = ids(
        lambda c: (
            c.due_done_at
            and (
                (c.done_at and c.done_at > c.due_done_at)
                or (not c.done_at and c.status in OPEN_STATUSES and c.due_done_at < now)
            )
        )
    )
    assert late and _listed(client, _href(page, sla="finish-late")) == late
    rated = {pk for pk, score in Rating.objects.values_list("complaint_id", "score") if score >= 4}
    assert _listed(client, _href(page, rating="puas")) == ids(lambda c: c.pk in rated)


def test_the_overdue_list_and_its_count(client, leader):
    client.force_login(leader)
    response, page = _page(client)
    overdue = figures.open_overdue(limit=50)
    assert overdue
    html = response.content.decode()
    for c in overdue:
        assert f'href="/aduan/{c.code}/"' in html or c.code in html
    by_id = {ident: (href, text) for href, text, ident in page.links if ident}
    href, text = by_id["kpi-overdue"]
    assert parse_qs(urlsplit(href).query) == {"overdue": ["1"]}
    assert (
        _inbox(client, href).count
        == _number(text)
        == len([c for c in Complaint.objects.all() if c.status in OPEN_STATUSES and c.is_overdue])
    )


def test_a_change_shows_at_once(client, leader):
    client.force_login(leader)
    before = _page(client)[0].context["s"]
    complaint = _received_in_period().filter(status="received").first()
    workflow.verify(complaint, actor=User.objects.get(username="demo-admin"))
    after = _page(client)[0].context["s"]
    status = {r.code: r.n for r in after.by_status}
    old = {r.code: r.n for r in before.by_status}
    assert status["received"] == old["received"] - 1
    assert status["verified"] == old["verified"] + 1


# --- the period ------------------------------------------------------------------------


def test_period_choices():
    today = dt.date(2026, 3, 15)
    default = choose_period({}, today)
    assert (default.first, default.last, default.choice) == (
        dt.date(2026, 3, 1),
        today,
        "bulan-ini",
    )
    cases = {
        "bulan-lalu": (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        "7-hari": (dt.date(2026, 3, 9), today),
        "30-hari": (dt.date(2026, 2, 14), today),
        "tahun-ini": (dt.date(2026, 1, 1), today),
    }
    for choice, (first, last) in cases.items():
        period = choose_period({"periode": choice}, today)
        assert (period.first, period.last) == (first, last), choice
    january = choose_period({"periode": "bulan-lalu"}, dt.date(2026, 1, 5))
    assert (january.first, january.last) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    custom = choose_period({"dari": "2026-02-10", "sampai": "2026-02-20"}, today)
    assert (custom.first, custom.last, custom.choice) == (
        dt.date(2026, 2, 10),
        dt.date(2026, 2, 20),
        "",
    )
    bad = choose_period({"dari": "10/02/2026"}, today)
    assert (bad.first, bad.last) == (dt.date(2026, 3, 1), today) and bad.error


def test_the_default_period_is_this_month_so_far(client, leader):
    client.force_login(leader)
    response = client.get(URL)
    today = timezone.now().astimezone(WITA).date()
    s = response.context["s"]
    assert (s.start, s.end) == (today.replace(day=1), today)
    html = response.content.decode()
    assert 'href="?periode=bulan-ini" class="button primary" aria-current="page"' in html
    for label in ("Bulan lalu", "7 hari terakhir", "30 hari terakhir", "Tahun ini"):
        assert label in html


def test_a_bad_date_is_said_and_the_default_shown(client, leader):
    client.force_login(leader)
    response = client.get(URL, {"dari": "31-12-2026"})
    assert response.status_code == 200
    assert "Tanggal harus berformat TTTT-BB-HH" in response.content.decode()
    today = timezone.now().astimezone(WITA).date()
    assert response.context["s"].start == today.replace(day=1)


# --- the page --------------------------------------------------------------------------


def test_charts_come_from_json_and_static_files_only(client, leader):
    client.force_login(leader)
    response, page = _page(client)
    html = response.content.decode()
    data = re.search(r'<script id="dash-data" type="application/json">(.*?)</script>', html, re.S)
    assert data
    import json

    charts = json.loads(data.group(1))
    s = response.context["s"]
    assert charts["status"]["values"] == [r.n for r in s.by_status]
    assert charts["category"]["labels"] == [r.label for r in s.by_category]
    assert len(charts["kecamatan"]["urls"]) == len(s.by_kecamatan)
    # No inline JavaScript (the CSP forbids it): every other script is a file of ours.
    sources = [a.get("src") for a in page.scripts if a.get("type") != "application/json"]
    assert sources and all(src and src.startswith("/static/") for src in sources)
    assert "/static/reports/chart.umd.min.js" in sources
    assert "/static/reports/dashboard.js" in sources
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert ' style="' not in html  # the CSP allows no inline styles either


def test_chart_js_is_vendored_with_its_licence():
    static = Path(__file__).resolve().parent.parent / "lalisa/reports/static/reports"
    assert (static / "chart.umd.min.js").read_text().startswith("/*!\n * Chart.js v4.")
    assert "MIT" in (static / "chart.js-LICENSE.md").read_text()
    assert "4.6.1" in (static / "VENDORED.md").read_text()


# --- the inbox's new filters -------------------------------------------------------------


def test_inbox_drops_filter_values_nobody_could_pick(client, leader):
    client.force_login(leader)
    response = client.get("/", {"hari": "8", "jam": "24", "sla": "verify-soon", "rating": "6"})
    assert response.status_code == 200
    assert response.context["f"] == {}
    response = client.get("/", {"hari": "7", "jam": "0", "sla": "finish-late", "rating": "puas"})
    assert response.context["f"] == {
        "hari": "7",
        "jam": "0",
        "sla": "finish-late",
        "rating": "puas",
    }
    html = response.content.decode()
    assert "Filter dari dasbor:" in html and "Hari Minggu" in html
    assert '<input type="hidden" name="jam" value="0">' in html

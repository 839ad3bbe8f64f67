"""The public pages (/publik/ and /publik/cek/): open without login, the two months' figures
against independent counts (WITA month edges included), rahasia complaints only in totals,
and a status lookup that shows no personal data, answers only with the complaint's check
part (a walk through consecutive codes learns nothing), hides rahasia complaints and is
throttled."""

import datetime as dt
import math
import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lalisa.complaints import demo, workflow
from lalisa.complaints import seed as seeding
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Outcome,
    Rating,
    Source,
    Status,
)
from lalisa.monthly.numbers import duration, integer, percent
from lalisa.public import lookup
from lalisa.public.models import LookupTurn
from lalisa.regions.models import Kecamatan
from lalisa.timefmt import WITA

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Warung miras milik Haji Umar di gang belakang masjid"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The page's figures live in the cache."""
    cache.clear()
    yield
    cache.clear()


def today():
    return timezone.now().astimezone(WITA).date()


def month_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day.replace(day=1), dt.time.min, WITA)


THIS_MONTH = month_start(today())
LAST_MONTH = month_start(THIS_MONTH.date() - dt.timedelta(days=1))
MONTH_BEFORE = month_start(LAST_MONTH.date() - dt.timedelta(days=1))


# --- independent counts -----------------------------------------------------------------


def counted(start: dt.datetime, end: dt.datetime) -> dict:
    """The public figures of complaints received in [start, end), row by row."""
    rows = [c for c in Complaint.objects.select_related("category", "kecamatan")]
    rows = [c for c in rows if start <= c.received_at < end]
    minutes = sorted(
        math.floor((c.done_at - c.received_at).total_seconds() / 60) for c in rows if c.done_at
    )
    scores = [r.score for r in Rating.objects.filter(complaint__in=[c.pk for c in rows])]
    shown = [c for c in rows if c.confidentiality != Confidentiality.RAHASIA]
    return {
        "received": len(rows),
        "handled": sum(c.status in (Status.DONE, Status.CLOSED) for c in rows),
        "median": minutes[math.ceil(len(minutes) / 2) - 1] if minutes else None,
        "ratings": len(scores),
        "average": sum(scores) / len(scores) if scores else None,
        "satisfied": sum(s >= 4 for s in scores) / len(scores) if scores else None,
        "by_category": Counter(c.category.name for c in shown),
        "by_kecamatan": Counter(
            c.kecamatan.name if c.kecamatan else "Tanpa kecamatan" for c in shown
        ),
    }


def assert_card(card: dict, want: dict):
    assert card["received"] == integer(want["received"])
    assert card["handled"] == integer(want["handled"])
    assert card["finish"] == (duration(want["median"]) if want["median"] is not None else "")
    assert card["ratings"] == integer(want["ratings"])
    if want["average"] is None:
        assert card["rating"] == "" and card["satisfied"] == ""
    else:
        assert card["rating"] == f"{want['average']:.1f}".replace(".", ",")
        assert card["satisfied"] == percent(want["satisfied"], 0)


def assert_breakdowns(context, now: dict, before: dict):
    categories = {line.label: (line.now, line.before) for line in context["categories"]}
    for label in set(now["by_category"]) | set(before["by_category"]):
        assert categories.pop(label) == (now["by_category"][label], before["by_category"][label])
    assert categories == {}  # no category shown that has nothing in either month
    places = {line.label: (line.now, line.before) for line in context["kecamatan"]}
    for name in Kecamatan.objects.values_list("name", flat=True):
        assert places[name] == (now["by_kecamatan"][name], before["by_kecamatan"][name])


# --- the month figures ------------------------------------------------------------------


@pytest.fixture
def edges(file, admin, kabid, trc, citizen, other_citizen):
    """Complaints on both sides of the WITA month edges, a rahasia one this month in Halong,
    two handled and rated this month."""
    halong = Kecamatan.objects.get(name="Halong")
    miras = Category.objects.get(code="miras")
    second = dt.timedelta(seconds=1)
    made = {
        "too_old": file(received_at=LAST_MONTH - second),
        "last_first": file(received_at=LAST_MONTH),
        "last_last": file(received_at=THIS_MONTH - second),
        "this_first": file(received_at=THIS_MONTH),
        "secret": file(
            actor=other_citizen,
            received_at=THIS_MONTH + dt.timedelta(minutes=30),
            category=miras,
            kecamatan=halong,
            confidentiality=Confidentiality.RAHASIA,
            description=SECRET_TEXT,
        ),
    }
    for key, score in (("this_first", 5), ("secret", 2)):
        c = made[key]
        workflow.verify(c, actor=admin)
        workflow.dispatch(c, actor=kabid, team=trc.team)
        workflow.accept(c, actor=trc)
        workflow.arrive(c, actor=trc)
        workflow.complete(c, actor=trc, note="Sudah ditertibkan", outcome="teguran_lisan")
        workflow.rate(c, actor=c.reporter, score=score)
    return made


def test_public_page_needs_no_login(client, edges):
    response = client.get("/publik/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="id"' in html and "Aduan ketertiban umum dalam angka" in html
    assert 'href="/publik/privasi/"' in html
    assert 'action="/publik/cek/"' in html


def test_month_edges_are_wita(client, edges):
    context = client.get("/publik/").context
    # This month: this_first and the rahasia one; last month: its first and last second.
    assert context["now"]["received"] == "2"
    assert context["before"]["received"] == "2"
    assert_card(context["now"], counted(THIS_MONTH, THIS_MONTH + dt.timedelta(days=40)))
    assert_card(context["before"], counted(LAST_MONTH, THIS_MONTH))


def test_handled_time_and_satisfaction(client, edges):
    card = client.get("/publik/").context["now"]
    assert card["handled"] == "2" and card["handled_share"] == "100%"
    assert card["rating"] == "3,5" and card["satisfied"] == "50%" and card["ratings"] == "2"
    # The median (nearest rank) of the two: the rahasia one, received 30 minutes later.
    secret = Complaint.objects.get(pk=edges["secret"].pk)
    minutes = math.floor((secret.done_at - secret.received_at).total_seconds() / 60)
    assert card["finish"] == duration(minutes)


def test_rahasia_counts_only_in_totals(client, edges):
    context = client.get("/publik/").context
    assert context["now"]["received"] == "2"  # the rahasia complaint is in the total …
    categories = {line.label: line.now for line in context["categories"]}
    assert "Minuman keras" not in categories  # … but in no breakdown
    places = {line.label: line.now for line in context["kecamatan"]}
    assert places["Halong"] == 0 and places["Paringin"] == 1
    assert sum(places.values()) == 1
    html = client.get("/publik/").content.decode()
    assert SECRET_TEXT not in html


def test_figures_equal_independent_counts_over_seeded_months(client, db):
    demo.ensure_staff("rahasia-uji-123")
    seeding.seed(250, months=3, seed=5, now=timezone.now())
    assert Complaint.objects.filter(confidentiality=Confidentiality.RAHASIA).exists()
    context = client.get("/publik/").context
    now = counted(THIS_MONTH, THIS_MONTH + dt.timedelta(days=40))
    before = counted(LAST_MONTH, THIS_MONTH)
    assert_card(context["now"], now)
    assert_card(context["before"], before)
    assert_breakdowns(context, now, before)
    assert before["received"] > 0 and before["ratings"] > 0


def test_public_page_names_no_staff(client, edges, admin, kabid, trc):
    for viewer in (None, admin):
        if viewer:
            client.force_login(viewer)
        html = client.get("/publik/").content.decode()
        for name in ("Alya", "Budi", "Candra", "alya", "TRC Paringin", "Keluar"):
            assert name not in html, name


# --- the lookup ------------------------------------------------------------------------


def lookup_page(client, code, check=None, address="203.0.113.7"):
    asked = {"kode": code} if check is None else {"kode": code, "cek": check}
    return client.get("/publik/cek/", asked, REMOTE_ADDR=address)


def answer_of(response, *codes) -> str:
    """The page as a walker sees it, without what they typed (the form shows it again) and
    with the codes asked for taken out."""
    html = re.sub(r'value="[^"]*"', 'value=""', response.content.decode())
    for code in codes:
        html = html.replace(code, "X")
    return html


def wrong_checks(right: str) -> list[str]:
    """What a walker tries instead of a complaint's own check part."""
    flipped = ("B" if right[0] != "B" else "C") + right[1:]
    return [
        flipped,  # one character off
        flipped.lower(),
        right[:3],  # too short …
        right + "A",  # … too long
        right[::-1] if right[::-1] != right else "ZZZZ",
        "AAAA",
        "0000",
        "%",  # SQL wildcards match nothing
        "_" * 4,
        "' OR '1'='1",
        right.replace(right[1], "0"),  # look-alikes are not in the alphabet
    ]


def test_lookup_shows_status_and_steps_without_personal_data(client, edges, citizen):
    complaint = edges["this_first"]
    response = lookup_page(client, complaint.code, complaint.lookup_check)
    assert response.status_code == 200
    html = response.content.decode()
    assert complaint.code in html
    assert "Ditutup" in html  # rated by the reporter: closed
    for step in ("Aduan diterima", "Aduan diverifikasi petugas", "Tim tiba di lokasi"):
        assert step in html
    assert "Dinilai pelapor; aduan ditutup" in html
    assert complaint.category.name in html
    assert Outcome.objects.get(code="teguran_lisan").name in html
    for personal in (
        citizen.profile_name,  # Siti
        citizen.phone,
        citizen.wa_id,
        "081311112222",
        citizen.user_id,
        complaint.description,
        "trotoar",
        "Sudah ditertibkan",  # the team's note
        "Alya",
        "Budi",
        "Candra",
        "TRC Paringin",
    ):
        assert personal not in html, personal
    assert "<img" not in html
    assert "noindex" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_lookup_shows_an_anonim_complaint_the_same_way(client, file, other_citizen):
    complaint = file(actor=other_citizen, confidentiality=Confidentiality.ANONIM)
    html = lookup_page(client, complaint.code, complaint.lookup_check).content.decode()
    assert "Diterima" in html and complaint.code in html
    assert "Rudi" not in html and complaint.description not in html


def test_a_missing_or_wrong_check_part_answers_as_an_unknown_code(client, edges):
    complaint = edges["this_first"]
    period = complaint.code.split("-")[1]
    unknown = f"LL-{period}-0777"
    # Without a check part nothing is looked up: every code gets the same request for it.
    missing = lookup_page(client, complaint.code, address="198.51.100.1")
    assert missing.status_code == 200 and "found" not in missing.context
    assert "Isi juga kode cek" in missing.content.decode()
    for check in (None, "", "  ", "-"):
        asked = lookup_page(client, unknown, check, address="198.51.100.2")
        assert answer_of(asked, unknown) == answer_of(missing, complaint.code)
    # A wrong one: the page an unknown code gets, with the same check part typed.
    for n, check in enumerate(wrong_checks(complaint.lookup_check)):
        address = f"198.51.100.{10 + n}"
        wrong = lookup_page(client, complaint.code, check, address=address)
        assert wrong.status_code == 200 and wrong.context.get("found") is None, check
        # "%", "_" and quotes are no characters of a check part: it was not given at all.
        assert "tidak ditemukan" in wrong.context["error"] or "Isi juga" in wrong.context["error"]
        nobody = lookup_page(client, unknown, check, address=address)
        assert answer_of(wrong, complaint.code) == answer_of(nobody, unknown), check
        html = wrong.content.decode()
        for leak in (complaint.category.name, "Paringin", "Ditutup", "Aduan diterima"):
            assert leak not in html, (check, leak)
    # The check part with another complaint's code is wrong too.
    other = edges["last_first"]
    crossed = lookup_page(client, other.code, complaint.lookup_check, address="198.51.100.99")
    assert crossed.context["found"] is None


def test_a_wrong_check_part_costs_what_an_unknown_code_costs(client, edges):
    """Same queries, so the same time: an unknown code, a wrong check part and a rahasia
    complaint with its own check part differ in nothing the database does."""
    complaint, secret = edges["this_first"], edges["secret"]
    period = complaint.code.split("-")[1]

    def queries(code, check, address):
        with CaptureQueriesContext(connection) as seen:
            lookup_page(client, code, check, address=address)
        return [re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", q["sql"]) for q in seen.captured_queries]

    unknown = queries(f"LL-{period}-0777", "K7QF", "192.0.2.1")
    assert queries(complaint.code, "K7QX", "192.0.2.2") == unknown
    assert queries(secret.code, secret.lookup_check, "192.0.2.3") == unknown
    # Right, the complaint's steps are read after it.
    assert len(queries(complaint.code, complaint.lookup_check, "192.0.2.4")) > len(unknown)


def test_rahasia_is_answered_as_unknown_even_with_its_check_part(client, edges):
    secret = edges["secret"]
    period, number = secret.code.split("-")[1:]
    unknown = f"LL-{period}-{int(number) + 500:04d}"
    for check in (secret.lookup_check, "K7QF", None):
        hidden = lookup_page(client, secret.code, check, address="192.0.2.10")
        missing = lookup_page(client, unknown, check, address="192.0.2.11")
        assert hidden.status_code == missing.status_code == 200
        assert hidden.context.get("found") is None
        assert answer_of(hidden, secret.code) == answer_of(missing, unknown)
        html = hidden.content.decode()
        for leak in (SECRET_TEXT, "Minuman keras", "Halong", "Ditutup"):
            assert leak not in html, leak
    together = f"{secret.code}-{secret.lookup_check}"
    assert lookup_page(client, together, address="192.0.2.12").context["found"] is None


def test_walking_through_a_month_learns_nothing(client, file, citizen, other_citizen):
    """Consecutive codes, categories and kecamatan of every kind, a rahasia one between
    them: without the check parts every code, filed or not, answers the same page."""
    categories = list(Category.objects.filter(active=True)[:4])
    places = list(Kecamatan.objects.order_by("name")[:4])
    filed = []
    for n in range(12):
        filed.append(
            file(
                actor=other_citizen if n % 2 else citizen,
                received_at=LAST_MONTH + dt.timedelta(hours=5 * n + 1, minutes=7 * n),
                category=categories[n % 4],
                kecamatan=places[n % 4],
                confidentiality=Confidentiality.RAHASIA if n == 6 else Confidentiality.BIASA,
            )
        )
    guess = "K7QF"
    Complaint.objects.filter(lookup_check=guess).update(lookup_check="M8RT")
    period = filed[0].code.split("-")[1]
    codes = [f"LL-{period}-{n:04d}" for n in range(1, 17)]  # the last four were never filed
    assert {c.code for c in filed} == set(codes[:12])
    for check in (None, guess):
        pages = set()
        for n, code in enumerate(codes):
            response = lookup_page(client, code, check, address=f"10.0.{n}.1")
            assert response.status_code == 200 and response.context.get("found") is None
            html = response.content.decode()
            for c in filed:
                assert c.category.name not in html and c.kecamatan.name not in html
            assert "WITA" not in html
            pages.add(answer_of(response, code))
        assert len(pages) == 1, check  # filed, rahasia or never filed: one answer
    # The complaints are there: with its check part one of them shows.
    shown = lookup_page(client, filed[3].code, filed[3].lookup_check, address="10.1.0.1")
    assert shown.context["found"].category == filed[3].category.name


def test_unknown_and_malformed_codes_get_a_clear_message(client, db):
    html = lookup_page(client, "LL-2101-9999", "K7QF").content.decode()
    assert "Aduan dengan kode tiket LL-2101-9999 dan kode cek itu tidak ditemukan" in html
    html = lookup_page(client, "LL-2101-9999").content.decode()
    assert "Isi juga kode cek aduan LL-2101-9999" in html
    html = lookup_page(client, "halo pak").content.decode()
    assert "bukan kode tiket" in html and "LL-TTBB-NNNN" in html
    assert lookup_page(client, "<script>alert(1)</script>").content.decode().count("<script>") == 0
    html = lookup_page(client, "LL-2101-9999", "<b>x</b>").content.decode()
    assert "<b>x</b>" not in html


def test_codes_and_check_parts_are_read_loosely(client, edges):
    complaint = edges["this_first"]
    code, check = complaint.code, complaint.lookup_check  # LL-YYMM-NNNN, K7QF
    period, number = code.split("-")[1:]
    spaced = " ".join(check.lower())
    for typed in (code.lower(), f"ll {period} {int(number)}", f"LL{period}{number}"):
        assert lookup.normalize_code(typed) == code, typed
        assert lookup_page(client, typed, check).context["found"].code == code
    assert lookup.normalize_code("LL-26-1") is None
    together = [
        f"{code}-{check}",
        f"{code} {check}".lower(),
        f"ll {period} {number} {spaced}",
        f"LL{period}{number}{check}",
        f"  {code.replace('-', '.')}.{check}  ",
        f"{code} / {check}",
        f"{code} " + "".join(chr(ord(ch) + 0xFEE0) for ch in check),  # full-width
    ]
    for n, typed in enumerate(together):
        assert lookup.read(typed) == lookup.Asked(code, check), typed
        found = lookup_page(client, typed, address=f"198.18.0.{n}").context["found"]
        assert found is not None and found.code == code, typed
    for n, typed_check in enumerate((check.lower(), f" {spaced} ", f"*{check}*", f"{check}\n")):
        found = lookup_page(client, code, typed_check, address=f"198.18.1.{n}").context["found"]
        assert found is not None, typed_check
    # A check part typed apart wins over one typed with the code.
    assert lookup.read(f"{code}-AAAA", check) == lookup.Asked(code, check)


def test_lookups_are_throttled_per_address(client, edges):
    complaint = edges["this_first"]
    code, check = complaint.code, complaint.lookup_check
    for _ in range(lookup.LIMIT):
        assert lookup_page(client, code, check).status_code == 200
    refused = lookup_page(client, code, check)
    assert refused.status_code == 429
    assert "Terlalu banyak pencarian" in refused.content.decode()
    assert code not in re.sub(r'value="[^"]*"', "", refused.content.decode())
    assert refused["Retry-After"] == str(lookup.WINDOW_SECONDS)
    # Another address is not held back; the form without a code does not count.
    assert lookup_page(client, code, check, address="198.51.100.9").status_code == 200
    assert client.get("/publik/cek/", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_every_kind_of_guess_counts_toward_the_limit(client, edges):
    """Wrong check parts, missing ones, malformed codes, a check part alone: each is a
    turn, so the right check part after ten guesses is refused like the guesses."""
    complaint = edges["this_first"]
    code, check = complaint.code, complaint.lookup_check
    guesses = [
        (code, "AAAA"),
        (code, None),
        (f"{code}-BBBB", None),
        ("halo pak", None),
        ("", check),
        (code, "' OR 1=1 --"),
        (f"LL-{code.split('-')[1]}-0999", check),
        (code.lower(), "CCCC"),
        (code, "DDDD"),
        (code, "EEEE"),
    ]
    assert len(guesses) == lookup.LIMIT
    for typed, guess in guesses:
        assert lookup_page(client, typed, guess).status_code == 200, (typed, guess)
    refused = lookup_page(client, code, check)
    assert refused.status_code == 429 and refused.context.get("found") is None
    assert LookupTurn.objects.filter(address="203.0.113.7").count() == lookup.LIMIT + 1


def test_the_limit_is_shared_by_every_web_process(client, edges):
    """Counted in the database: a process with an empty memory (here: the cache cleared)
    still refuses; the window's end lets the address in again and forgets its turns."""
    code = edges["this_first"].code
    for _ in range(lookup.LIMIT):
        assert lookup_page(client, code, "AAAA").status_code == 200
    cache.clear()
    assert lookup_page(client, code, edges["this_first"].lookup_check).status_code == 429
    later = timezone.now() + dt.timedelta(seconds=lookup.WINDOW_SECONDS + 1)
    assert lookup.take_turn("203.0.113.7", now=later)
    assert LookupTurn.objects.count() == 1


def test_lookup_form_without_code(client, db):
    response = client.get("/publik/cek/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="kode"' in html and 'name="cek"' in html and "error" not in response.context
    assert 'href="/publik/privasi/"' in html


def test_walk_in_complaint_lookup_has_no_reporter(client, admin, category, paringin):
    from lalisa.complaints.models import Reporter

    walk_in = Reporter.objects.create(name="Pak Darmawan", phone="+6281399990000")
    complaint = workflow.file_complaint(
        actor=admin,
        category=category,
        description="Reklame roboh di depan rumah Pak Darmawan",
        source=Source.WALK_IN,
        reporter=walk_in,
        kecamatan=paringin,
    )
    html = lookup_page(client, complaint.code, complaint.lookup_check).content.decode()
    assert complaint.code in html and "Diterima" in html
    assert "Darmawan" not in html and "6281399990000" not in html

"""Writing to the reporter: admin and Kabid, and only to a reporter whose identity they may
see. The rule is the workflow's, so the pages, the API and any later surface meet the same
refusal: a Kabid never writes to an *anonim* or *rahasia* reporter; the admin writes to all."""

import json

import pytest

from lalisa.accounts.models import ApiToken
from lalisa.complaints import workflow
from lalisa.complaints.errors import RoleRefused
from lalisa.complaints.models import Confidentiality, Event
from lalisa.complaints.models import Status as S
from lalisa.notifications.models import Notification

pytestmark = pytest.mark.django_db

KINDS = [Confidentiality.BIASA, Confidentiality.ANONIM, Confidentiality.RAHASIA]
# Who may write to the reporter, per confidentiality (DESIGN.md's identity table).
MAY_REPLY = {
    Confidentiality.BIASA: {"admin", "kabid"},
    Confidentiality.ANONIM: {"admin"},
    Confidentiality.RAHASIA: {"admin"},
}
ACTORS = ["admin", "kabid", "trc", "pimpinan", "superadmin", "citizen"]
REFUSAL = "pelapor anonim atau rahasia hanya dibalas oleh admin"


@pytest.fixture
def bring(file, admin, kabid, trc, team_a):
    """A fresh complaint of this confidentiality, brought to `state` through the workflow."""

    def _bring(confidentiality, state=S.VERIFIED):
        c = file(confidentiality=confidentiality)
        steps = [
            (S.VERIFIED, lambda: workflow.verify(c, actor=admin)),
            (S.DISPATCHED, lambda: workflow.dispatch(c, actor=kabid, team=team_a)),
            (S.ACCEPTED, lambda: workflow.accept(c, actor=trc)),
            (S.ON_SITE, lambda: workflow.arrive(c, actor=trc)),
            (
                S.DONE,
                lambda: workflow.complete(c, actor=trc, note="Ditegur", outcome="teguran_lisan"),
            ),
            (S.CLOSED, lambda: workflow.close(c, actor=kabid)),
        ]
        for reached, step in steps:
            if c.status == state:
                break
            step()
            assert c.status == reached
        assert c.status == state
        return c

    return _bring


def nothing_sent(complaint) -> bool:
    return (
        not Event.objects.filter(complaint=complaint, kind="reply").exists()
        and not Notification.objects.filter(complaint=complaint, kind="staff_reply").exists()
    )


def sent(complaint, by, text) -> bool:
    event = Event.objects.filter(complaint=complaint, kind="reply").get()
    note = Notification.objects.filter(complaint=complaint, kind="staff_reply").get()
    return (
        event.actor_user == by and event.reason == text and note.to_reporter == complaint.reporter
    )


# --- the workflow itself ------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.RECEIVED, S.VERIFIED, S.DISPATCHED, S.DONE, S.CLOSED])
@pytest.mark.parametrize("confidentiality", KINDS)
@pytest.mark.parametrize("who", ACTORS)
def test_the_workflow_lets_only_who_sees_the_reporter_write_to_them(
    request, bring, who, confidentiality, state
):
    actor = request.getfixturevalue(who)
    complaint = bring(confidentiality, state)
    if who in MAY_REPLY[confidentiality]:
        workflow.reply(complaint, actor=actor, text="Tim segera ke lokasi.")
        assert sent(complaint, actor, "Tim segera ke lokasi.")
    else:
        with pytest.raises(RoleRefused):
            workflow.reply(complaint, actor=actor, text="Tim segera ke lokasi.")
        assert nothing_sent(complaint)
    complaint.refresh_from_db()
    assert complaint.status == state  # a reply never moves the complaint


@pytest.mark.parametrize("confidentiality", [Confidentiality.ANONIM, Confidentiality.RAHASIA])
@pytest.mark.parametrize("text", ["Halo pak", "", None, "   "])
def test_the_kabid_is_refused_for_who_the_reporter_is_before_what_is_written(
    bring, kabid, confidentiality, text
):
    complaint = bring(confidentiality)
    with pytest.raises(RoleRefused) as refused:
        workflow.reply(complaint, actor=kabid, text=text)
    assert REFUSAL in str(refused.value)
    with pytest.raises(RoleRefused):
        workflow.check_reply(complaint, actor=kabid)
    assert nothing_sent(complaint)


def test_an_inactive_admin_writes_to_nobody(bring, admin):
    complaint = bring(Confidentiality.BIASA)
    admin.is_active = False
    admin.save()
    with pytest.raises(RoleRefused):
        workflow.reply(complaint, actor=admin, text="Halo")
    assert nothing_sent(complaint)


# --- the JSON API -------------------------------------------------------------------------


@pytest.fixture
def api(client, request):
    people = {
        name: request.getfixturevalue(name)
        for name in ("admin", "kabid", "trc", "trc_b", "pimpinan", "superadmin")
    }
    keys = {name: ApiToken.issue(user) for name, user in people.items()}

    def act(who, code, body):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {keys[who]}"} if who else {}
        raw = body if isinstance(body, str) else json.dumps(body)
        return client.post(
            f"/api/v1/complaints/{code}/actions", raw, content_type="application/json", **headers
        )

    act.people = people
    return act


@pytest.mark.parametrize("confidentiality", KINDS)
@pytest.mark.parametrize("who", ["admin", "kabid"])
def test_the_api_reply_follows_the_same_rule(api, bring, who, confidentiality):
    complaint = bring(confidentiality)
    response = api(who, complaint.code, {"action": "reply", "text": "Tim segera ke lokasi."})
    if who in MAY_REPLY[confidentiality]:
        assert response.status_code == 200, response.content
        assert response.json()["timeline"][-1]["kind"] == "reply"
        assert sent(complaint, api.people[who], "Tim segera ke lokasi.")
    else:
        assert response.status_code == 403
        body = response.json()
        assert REFUSAL in body["error"] and body["step"] == "reply"
        assert body["status"] == S.VERIFIED
        assert nothing_sent(complaint)
        # Nor does the answer show the reporter: the refusal is all it says.
        assert set(body) == {"error", "step", "status"}


@pytest.mark.parametrize(
    "who, body, code",
    [
        (None, {"action": "reply", "text": "Halo"}, 401),
        ("kabid", {"action": "reply"}, 403),  # who before what: no 400 for the missing text
        ("kabid", {"action": "reply", "text": 5}, 403),
        ("kabid", {"action": "reply", "text": ["Halo"]}, 403),
        ("kabid", {"action": "reply", "text": ""}, 403),
        ("pimpinan", {"action": "reply", "text": "Halo"}, 403),
        ("superadmin", {"action": "reply", "text": "Halo"}, 404),  # sees no complaint at all
        ("trc_b", {"action": "reply", "text": "Halo"}, 404),  # another team's complaint
        ("trc", {"action": "reply", "text": "Halo"}, 403),
        ("admin", {"action": "reply", "text": 5}, 400),
        ("admin", {"action": "reply"}, 400),
        ("admin", {"action": "reply", "text": "Halo"}, 200),
    ],
)
def test_the_api_reply_refuses_in_order(api, bring, who, body, code):
    complaint = bring(Confidentiality.RAHASIA, S.DISPATCHED)
    response = api(who, complaint.code, body)
    assert response.status_code == code, response.content
    if code != 200:
        assert nothing_sent(complaint)
        assert response.json()["error"]


def test_the_api_answers_404_before_403_for_a_code_that_does_not_exist(api, bring):
    bring(Confidentiality.RAHASIA)
    response = api("kabid", "LLS-0000-00000", {"action": "reply", "text": "Halo"})
    assert response.status_code == 404


# --- the staff pages ----------------------------------------------------------------------


@pytest.mark.parametrize("confidentiality", KINDS)
@pytest.mark.parametrize("who", ["admin", "kabid", "pimpinan", "trc"])
def test_the_page_reply_follows_the_same_rule(client, request, bring, who, confidentiality):
    user = request.getfixturevalue(who)
    complaint = bring(confidentiality, S.DISPATCHED)
    client.force_login(user)
    form = client.get(f"/aduan/{complaint.code}/").content.decode()
    response = client.post(f"/aduan/{complaint.code}/balas/", {"text": "Tim segera ke lokasi."})
    if who in MAY_REPLY[confidentiality]:
        assert f"/aduan/{complaint.code}/balas/" in form
        assert response.status_code == 302
        assert sent(complaint, user, "Tim segera ke lokasi.")
    else:
        assert f"/aduan/{complaint.code}/balas/" not in form  # no form that must fail
        assert response.status_code == 403
        assert nothing_sent(complaint)
    if who == "kabid" and confidentiality != Confidentiality.BIASA:
        assert REFUSAL in response.content.decode()

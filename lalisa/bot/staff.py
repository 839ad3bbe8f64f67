"""Staff on WhatsApp: the Kabid decides on a verified complaint, the TRC takes a dispatch
through accept, arrival and the report. Registered staff numbers get this, never the
citizen's questions. Every step is the workflow's own function (one code path with the
pages and the API); a refusal is explained in the chat.

Reply ids: kd:show|teams|decline:<complaint>, kd:send:<complaint>:<team>,
trc:show|accept|arrive|report|done:<complaint>, trc:done:<complaint>:photo (the last photo
goes to the citizen), trc:outcome:<complaint>:<code>.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lalisa import access
from lalisa.accounts.models import Role, User
from lalisa.bot import replies
from lalisa.bot.models import Conversation
from lalisa.bot.texts import say
from lalisa.bot.understand import understand
from lalisa.complaints import workflow
from lalisa.complaints.attachments import attach_message
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.models import Complaint, Outcome, Status
from lalisa.teams import suggest
from lalisa.teams.models import TrcTeam
from lalisa.whatsapp import messages as wa
from lalisa.whatsapp.models import InboundMessage

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=23, minutes=30)
TEAM_ACTIVE = (Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE)
# DESIGN.md: another team may be sent while the first has not arrived.
REDISPATCHABLE = (Status.DISPATCHED, Status.ACCEPTED)
# The first few photos go with a review or a dispatch; the rest are on the web page.
PHOTOS_SENT = 3


def handle(message: InboundMessage) -> str:
    user = message.staff
    if message.type in ("reaction", "system"):
        return ""
    try:
        with transaction.atomic():
            StaffTurn(message, user).run()
    except Exception as exc:
        log.exception("staff bot failed on inbound message %s", message.pk)
        replies.send(user, wa.text(say("bot_error")), message=message)
        return f"Bot petugas: {type(exc).__name__}: {exc}"
    return ""


class StaffTurn:
    def __init__(self, message: InboundMessage, user: User):
        self.message, self.user = message, user
        self.out: list[dict] = []
        self.complaint = None
        self.conv, _ = Conversation.objects.select_for_update().get_or_create(staff=user)

    def run(self) -> None:
        reply_id = self.message.reply_id
        kind = self.message.type
        if reply_id:
            self._tap(reply_id)
        elif kind == "text":
            self._text()
        elif kind == "image" and self.conv.step == "trc_photos":
            self._photo()
        else:
            self.out.extend(wa.text(say("staff_not_understood")))
        self.conv.updated_at = timezone.now()
        self.conv.save()
        replies.send(self.user, self.out, message=self.message, complaint=self.complaint)

    # --- text ------------------------------------------------------------------------

    def _text(self) -> None:
        text = (self.message.text or "").strip()
        words = understand(text)
        step, draft = self.conv.step, self.conv.draft or {}
        if words.command in ("greeting", "menu", "cancel", "back", "status"):
            self._clear()
            self._menu()
        elif step == "decline_reason":
            self._decline(draft.get("complaint"), text)
        elif step == "trc_note":
            self.conv.draft = {**draft, "note": text}
            self.conv.step = "trc_photos"
            self._photos_prompt(draft.get("complaint"))
        elif words.codes:
            complaint = self._visible().filter(code=words.codes[0]).first()
            if complaint is None:
                self.out.extend(wa.text(say("bot_status_not_found", code=words.codes[0])))
            else:
                self._show(complaint)
        else:
            self._menu()

    def _photo(self) -> None:
        draft = self.conv.draft or {}
        complaint = self._visible().filter(pk=draft.get("complaint")).first()
        if complaint is None:
            self._clear()
            self._menu()
            return
        media = attach_message(complaint, self.message, uploaded_by=self.user)
        photos = [*draft.get("photos", []), *[m.pk for m in media]]
        self.conv.draft = {**draft, "photos": photos}
        self.complaint = complaint
        self.send(
            say("trc_photo_received", count=len(photos)),
            [("done:photo", "trc_btn_done_photo"), ("done", "trc_btn_done_plain")],
        )

    # --- taps --------------------------------------------------------------------------

    def _tap(self, reply_id: str) -> None:
        parts = reply_id.split(":")
        head, action = parts[0], parts[1] if len(parts) > 1 else ""
        complaint = self._visible().filter(pk=_int(parts[2]) if len(parts) > 2 else None).first()
        if head not in ("kd", "trc") or complaint is None:
            self.out.extend(wa.text(say("bot_stale_button")))
            self._menu()
            return
        self.complaint = complaint
        if (head, action) in (("kd", "show"), ("trc", "show")):
            self._show(complaint)
        elif (head, action) == ("kd", "send"):
            team = TrcTeam.objects.filter(pk=_int(parts[3]) if len(parts) > 3 else None).first()
            self._step(complaint, "dispatch", team=team)
        elif (head, action) == ("kd", "teams"):
            self._teams(complaint)
        elif (head, action) == ("kd", "decline"):
            self.conv.step, self.conv.draft = "decline_reason", {"complaint": complaint.pk}
            self.out.extend(wa.text(say("staff_ask_decline", code=complaint.code)))
        elif (head, action) == ("trc", "accept"):
            if self._step(complaint, "accept"):
                self.send(say("trc_accepted", code=complaint.code), [("arrive", "trc_btn_arrive")])
        elif (head, action) == ("trc", "arrive"):
            if self._step(complaint, "arrive"):
                self.send(say("trc_arrived", code=complaint.code), [("report", "trc_btn_report")])
        elif (head, action) == ("trc", "report"):
            self._outcomes(complaint)
        elif (head, action) == ("trc", "outcome"):
            code = parts[3] if len(parts) > 3 else ""
            if not Outcome.objects.filter(code=code, active=True).exists():
                self._outcomes(complaint)
                return
            self.conv.step = "trc_note"
            self.conv.draft = {"complaint": complaint.pk, "outcome": code, "photos": []}
            self.out.extend(wa.text(say("trc_ask_note")))
        elif (head, action) == ("trc", "done"):
            draft = self.conv.draft or {}
            if draft.get("complaint") != complaint.pk or not draft.get("note"):
                self._outcomes(complaint)
                return
            photos = draft.get("photos", [])
            # "Selesai + foto": the last photo sent goes to the citizen with the result.
            chosen = photos[-1] if photos and parts[3:4] == ["photo"] else None
            done = self._step(
                complaint,
                "complete",
                note=draft["note"],
                outcome=draft.get("outcome"),
                photos=photos,
                citizen_photo=chosen,
            )
            if done:
                self._clear()
                self.out.extend(wa.text(say("trc_completed", code=complaint.code)))
        else:
            self.out.extend(wa.text(say("bot_stale_button")))

    # --- what is shown ----------------------------------------------------------------

    def _visible(self):
        return access.visible_complaints(self.user).select_related("category")

    def _menu(self) -> None:
        role = self.user.role if self.user.is_active else ""
        if role == Role.KABID:
            visible = self._visible()
            waiting = list(visible.filter(status=Status.VERIFIED).order_by("verified_at")[:10])
            # Sent but not yet on site: the Kabid may still send another team.
            running = list(
                visible.filter(status__in=REDISPATCHABLE).order_by("dispatched_at")[:10]
            )
            if not waiting and not running:
                self.out.extend(wa.text(say("staff_nothing_kabid")))
                return
            running = running[: max(0, 10 - len(waiting))]
            sections = [
                (say("staff_section_waiting"), [_row(c) for c in waiting]),
                (say("staff_section_running"), [_row(c) for c in running]),
            ]
            total = visible.filter(status__in=[Status.VERIFIED, *REDISPATCHABLE]).count()
            body = _with_more(say("staff_menu_kabid"), len(waiting) + len(running), total)
            self.out.append(wa.list_message(body, say("staff_menu_button"), sections=sections))
            return
        elif role == Role.TRC and self.user.team_id:
            team = self.user.team
            mine = list(
                self._visible()
                .filter(status__in=TEAM_ACTIVE, dispatches__team=team)
                .filter(dispatches__replaced_at__isnull=True)
                .distinct()
                .order_by("dispatched_at")
            )
            if not mine:
                self.out.extend(wa.text(say("staff_nothing_trc", team=team.name)))
                return
            rows = [(f"trc:show:{c.pk}", c.code, _row_desc(c)) for c in mine[:10]]
            body = _with_more(say("staff_menu_trc", team=team.name), len(rows), len(mine))
        else:
            self.out.extend(wa.text(say("staff_no_role")))
            return
        self.out.append(wa.list_message(body, say("staff_menu_button"), rows=rows))

    def _show(self, complaint: Complaint) -> None:
        self.complaint = complaint
        if self.user.role == Role.KABID:
            self.out.extend(review(complaint))
        else:
            self.out.extend(task(complaint, self.user))

    def _teams(self, complaint: Complaint) -> None:
        rows = [
            (f"kd:send:{complaint.pk}:{c.team.pk}", c.team.name, _team_desc(c))
            for c in _other_teams(complaint)[:10]
        ]
        if not rows:
            self.out.extend(wa.text(say("staff_refused", reason="belum ada tim TRC aktif.")))
            return
        body = say("staff_teams", code=complaint.code)
        self.out.append(wa.list_message(body, say("staff_teams_button"), rows=rows))

    def _outcomes(self, complaint: Complaint) -> None:
        # A name too long for a row title is shown whole as its description.
        rows = [
            (f"trc:outcome:{complaint.pk}:{o.code}", o.name, o.name if len(o.name) > 24 else "")
            for o in Outcome.objects.filter(active=True)[:10]
        ]
        body = say("trc_ask_outcome", code=complaint.code)
        self.out.append(wa.list_message(body, say("trc_outcome_button"), rows=rows))

    def _photos_prompt(self, pk) -> None:
        done = [(f"trc:done:{pk}", say("trc_btn_done"))]
        self.out.append(wa.buttons(say("trc_ask_photos"), done))

    def send(self, body: str, buttons: list[tuple[str, str]]) -> None:
        pk = self.complaint.pk
        choices = []
        for action, key in buttons:
            step, _, extra = action.partition(":")
            choices.append((f"trc:{step}:{pk}" + (f":{extra}" if extra else ""), say(key)))
        self.out.append(wa.buttons(body, choices))

    # --- steps -------------------------------------------------------------------------

    def _step(self, complaint: Complaint, step: str, **kwargs) -> bool:
        try:
            getattr(workflow, step)(complaint, actor=self.user, **kwargs)
        except StepRefused as exc:
            self.out.extend(wa.text(say("staff_refused", reason=exc.reason)))
            return False
        if step == "dispatch":
            self.out.extend(
                wa.text(say("staff_dispatched", team=kwargs["team"].name, code=complaint.code))
            )
        return True

    def _decline(self, pk, reason: str) -> None:
        complaint = self._visible().filter(pk=pk).first()
        self._clear()
        if complaint is None:
            self._menu()
            return
        self.complaint = complaint
        if self._step(complaint, "decline", reason=reason):
            self.out.extend(wa.text(say("staff_declined", code=complaint.code)))

    def _clear(self) -> None:
        self.conv.step, self.conv.draft = "", {}


# --- what the Kabid and the team are sent -------------------------------------------------


def _pin(complaint: Complaint) -> list[dict]:
    if complaint.lat is None or complaint.lng is None:
        return []
    location = {
        "latitude": float(complaint.lat),
        "longitude": float(complaint.lng),
        "name": complaint.code,
        "address": wa.shorten(complaint.place_text, 200),
    }
    return [{"type": "location", "location": location}]


def _with_more(body: str, shown: int, total: int) -> str:
    """A WhatsApp list holds 10 rows: say so when more are waiting."""
    if shown >= total:
        return body
    return f"{body}\n\n{say('staff_menu_more', shown=shown, total=total)}"


def _row(complaint: Complaint) -> tuple[str, str, str]:
    return (f"kd:show:{complaint.pk}", complaint.code, _row_desc(complaint))


def _other_teams(complaint: Complaint) -> list[suggest.Choice]:
    active = complaint.active_dispatch
    return [c for c in suggest.choices(complaint) if active is None or c.team.pk != active.team_id]


def photos(complaint: Complaint) -> list[dict]:
    """The citizen's photos (not the team's), each uploaded to Meta when it goes."""
    images = (
        complaint.media.filter(kind="image", dispatch__isnull=True, uploaded_by__isnull=True)
        .exclude(file="", inbound__isnull=True)
        .order_by("created_at", "pk")
    )
    total = images.count()
    return [
        wa.stored_image(
            m.pk, say("staff_photo_caption", number=n, total=total, code=complaint.code)
        )
        for n, m in enumerate(images[:PHOTOS_SENT], start=1)
    ]


def _row_desc(complaint: Complaint) -> str:
    return f"{complaint.category.name} — {Status(complaint.status).label}"


def _team_desc(choice: suggest.Choice) -> str:
    km = choice.distance_km
    distance = f"{km:.1f}".replace(".", ",") + " km · " if km is not None else ""
    return say("staff_team_desc", distance=distance, load=choice.open_load)


def review(complaint: Complaint) -> list[dict]:
    """The pin and photos, then the summary with the suggested team as a button: two taps
    at most. A complaint already sent to a team offers another team instead."""
    common = {
        "code": complaint.code,
        "category": complaint.category.name,
        "priority": complaint.get_priority_display(),
        "description": wa.shorten(complaint.description, 500),
        "place": complaint.place_text,
    }
    active = complaint.active_dispatch
    if complaint.status in REDISPATCHABLE and active is not None:
        body = say(
            "staff_running", team=active.team.name, status=Status(complaint.status).label, **common
        )
        buttons = [(f"kd:teams:{complaint.pk}", say("staff_btn_redispatch"))]
        return [*_pin(complaint), *photos(complaint), wa.buttons(body, buttons)]
    if complaint.status != Status.VERIFIED:
        body = say("trc_task", status=Status(complaint.status).label, **common)
        return wa.text(body)
    ranked = suggest.choices(complaint)
    if not ranked:
        return wa.text(say("staff_refused", reason="belum ada tim TRC aktif."))
    best = ranked[0]
    why = _team_desc(best) + (", mencakup kecamatan ini" if best.covers else "")
    body = say("staff_review", team=best.team.name, why=why, **common)
    buttons = [
        (f"kd:send:{complaint.pk}:{best.team.pk}", best.team.name),
        (f"kd:teams:{complaint.pk}", say("staff_btn_other")),
        (f"kd:decline:{complaint.pk}", say("staff_btn_decline")),
    ]
    return [*_pin(complaint), *photos(complaint), wa.buttons(body, buttons)]


def task(complaint: Complaint, user: User) -> list[dict]:
    """The pin and the dispatch with the button for the team's next step."""
    body = say(
        "trc_task",
        code=complaint.code,
        category=complaint.category.name,
        priority=complaint.get_priority_display(),
        description=wa.shorten(complaint.description, 500),
        place=complaint.place_text,
        status=Status(complaint.status).label,
    )
    nxt = {
        Status.DISPATCHED: ("accept", "trc_btn_accept"),
        Status.ACCEPTED: ("arrive", "trc_btn_arrive"),
        Status.ON_SITE: ("report", "trc_btn_report"),
    }.get(complaint.status)
    if nxt is None:
        return wa.text(body)
    button = [(f"trc:{nxt[0]}:{complaint.pk}", say(nxt[1]))]
    shown = photos(complaint) if complaint.status == Status.DISPATCHED else []
    return [*_pin(complaint), *shown, wa.buttons(body, button)]


def window_open(user: User | None) -> bool:
    if user is None:
        return False
    last = (
        InboundMessage.objects.filter(staff=user)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return last is not None and timezone.now() - last < WINDOW


def kabid_followup(notification) -> list[dict]:
    """After the "to review" text: the pin and the decision buttons, while they can go."""
    if notification.complaint is None or not window_open(notification.to_user):
        return []
    return review(notification.complaint)


def trc_followup(notification) -> list[dict]:
    if notification.complaint is None or not window_open(notification.to_user):
        return []
    return task(notification.complaint, notification.to_user)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

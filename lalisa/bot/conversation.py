"""The citizen bot: one inbound message in, the bot's answers queued out.

`handle(message)` is an inbound handler (lalisa.whatsapp.inbound): it runs in the
message's transaction, so it only writes rows and queues sends. The citizen's place in
the questions and the complaint being written live in their Conversation; the complaint
itself is filed whole on Kirim, by the workflow (one code path with the staff's pages).

Every text, media, location and interactive message gets an answer; reactions and system
messages need none. "menu", "batal" and "kembali" work at every step.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lalisa.bot import nearby, replies, status
from lalisa.bot.models import Conversation
from lalisa.bot.texts import say
from lalisa.bot.understand import Understood, find_place, guess_category, understand
from lalisa.complaints import workflow
from lalisa.complaints.attachments import attach_message
from lalisa.complaints.errors import StepRefused
from lalisa.complaints.models import (
    Category,
    Complaint,
    Confidentiality,
    Priority,
    Rating,
    Reporter,
    Status,
)
from lalisa.regions.models import Desa, Kecamatan
from lalisa.service.models import EmergencyNumber, ServiceProfile
from lalisa.whatsapp import messages as wa
from lalisa.whatsapp.models import InboundMedia, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

# A draft left this long is put aside (the citizen is told how to resume) ...
IDLE_AFTER = timedelta(minutes=30)
# ... and one put aside this long ago is dropped when the citizen writes again.
DROP_AFTER = timedelta(hours=24)
# The rating list follows "done" only while a normal message can still reach the citizen.
WINDOW = timedelta(hours=23, minutes=30)

SILENT_TYPES = {"reaction", "system"}
MEDIA_TYPES = {"image", "video", "audio", "document"}
PHOTO_TYPES = {"image", "video", "document"}
MEDIA_WORDS = {
    "image": "Foto",
    "video": "Video",
    "audio": "Pesan suara",
    "document": "Dokumen",
    "sticker": "Stiker",
}

DRAFT_STEPS = (
    "category",
    "description",
    "location",
    "kecamatan",
    "pin",
    "nearby",
    "photos",
    "identity",
    "summary",
    "change",
)
CHANGEABLE = ("category", "description", "location", "photos", "identity")
IDENTITY_WORDS = {
    Confidentiality.BIASA: ("biasa", "normal", "umum", "tidak apa"),
    Confidentiality.ANONIM: ("anonim", "anonym", "anonymous", "tanpa nama", "sembunyikan"),
    Confidentiality.RAHASIA: ("rahasia", "dirahasiakan", "rahasiakan"),
}


# --- the handler ------------------------------------------------------------------------


def handle(message: InboundMessage) -> str:
    """Answer one message; a failure is answered with an apology and noted, never raised
    (the message itself is already stored)."""
    if message.type in SILENT_TYPES:
        return ""
    if message.staff_id:
        from lalisa.bot import staff

        return staff.handle(message)
    reporter = message.reporter
    if reporter is None:
        return "Bot: pengirim tidak dikenali, pesan tidak dijawab."
    if reporter.blocked_at is not None:
        return ""  # kept and shown to staff, never answered (the notice went once)
    try:
        with transaction.atomic():
            Turn(message, reporter).run()
    except Exception as exc:
        log.exception("bot failed on inbound message %s", message.pk)
        replies.send(reporter, replies.text(say("bot_error")), message=message)
        return f"Bot: {type(exc).__name__}: {exc}"
    return ""


class Turn:
    """One message from one citizen, answered."""

    def __init__(self, message: InboundMessage, reporter: Reporter):
        self.message = message
        self.reporter = reporter
        self.out: list[dict] = []
        self.complaint = None  # the complaint the answer is about, for staff's chat view
        self.urgent = False
        self.conv = _conversation(reporter)
        self.draft: dict = self.conv.draft or {}
        self.words: Understood = understand(message.text or "")

    # --- running -----------------------------------------------------------------------

    def run(self) -> None:
        now = timezone.now()
        self._expire(now)
        kind = self.message.type
        text = self.message.text or ""
        if self.conv.step == "comment" and kind not in ("text",):
            self.conv.step = ""
        told = self.conv.step in DRAFT_STEPS and self.draft.get("emergency_told")
        if text and self.words.emergency and not told:
            self._emergency()
        reply_id = self.message.reply_id
        if reply_id:
            self._tap(reply_id)
        elif kind == "sticker":
            self.say("bot_sticker")
        elif kind in ("text", "interactive", "button"):
            self._text()
        elif kind in MEDIA_TYPES:
            self._media()
        elif kind == "location":
            self._location_message()
        else:
            self.say("bot_unsupported")
        self._save(now)
        replies.send(self.reporter, self.out, message=self.message, complaint=self.complaint)

    def _expire(self, now) -> None:
        conv = self.conv
        if conv.set_aside_at is None:
            return
        if now - conv.set_aside_at > DROP_AFTER:
            self._reset()
        conv.set_aside_at = None

    def _save(self, now) -> None:
        conv = self.conv
        if self.urgent and (conv.step in DRAFT_STEPS or self._has_draft()):
            # The emergency is this draft's: the complaint is urgent, the numbers told once.
            self.draft["urgent"] = self.draft["emergency_told"] = True
        conv.draft = self.draft
        conv.updated_at = now
        conv.save(update_fields=["step", "draft", "complaint", "updated_at", "set_aside_at"])

    def _reset(self) -> None:
        self.draft = {}
        self.conv.step = ""
        self.conv.complaint = None

    # --- saying things -----------------------------------------------------------------

    def say(self, key: str, **params) -> None:
        self.out.extend(wa.text(say(key, **params)))

    def send(self, payload: dict) -> None:
        self.out.append(payload)

    def _emergency(self) -> None:
        self.say("bot_emergency", numbers=_numbers())
        self.urgent = True

    # --- what came in --------------------------------------------------------------------

    def _text(self) -> None:
        words, step = self.words, self.conv.step
        command = words.command
        if command in ("greeting", "menu"):
            self._menu(greet=command == "greeting")
        elif command == "cancel":
            self._cancel()
        elif command == "back" and step in DRAFT_STEPS:
            self._back()
        elif command == "back":
            self._menu()
        elif command == "resume":
            self._resume()
        elif command == "report":
            self._start(fresh=False)
        elif command == "new":
            self._start(fresh=True)
        elif command == "status" or (words.codes and not words.substantive and not step):
            self._status(words.codes)
        elif command == "info":
            self._info()
        elif step in DRAFT_STEPS:
            self._step_text(step)
        elif step == "comment" and not command:
            self._comment()
        elif command == "thanks":
            self.conv.step = ""
            self.say("bot_thanks")
        else:
            self.conv.step = ""
            self._idle_text()

    def _media(self) -> None:
        step = self.conv.step
        if step in DRAFT_STEPS:
            self._draft_media(step)
            return
        complaint = self._followed()
        if complaint is not None:
            self._attach_to(complaint, answer=self.message.text)
            return
        # Words later: the photo or voice note waits in the draft for the complaint.
        self._keep_media()
        caption = self.message.text or ""
        if caption and understand(caption).substantive:
            self._start_with_text(caption)
        else:
            self._menu(greet=True)

    def _location_message(self) -> None:
        step = self.conv.step
        if step in DRAFT_STEPS:
            if self._set_pin():
                self._advance()
            return
        complaint = self._followed()
        if complaint is not None:
            self._attach_to(complaint)
            return
        if self._set_pin():
            self._menu(greet=True)

    def _tap(self, reply_id: str) -> None:
        head, _, rest = reply_id.partition(":")
        if head == "menu":
            self._menu_choice(rest)
        elif head == "status":
            self._status((rest,))
        elif head == "rate":
            self._rate_tap(rest)
        elif head == "near":
            self._nearby_choice(rest)
        elif head in ("cat", "kec", "id", "sum", "chg", "skip"):
            if self.conv.step in DRAFT_STEPS or self._has_draft():
                self._draft_tap(head, rest)
            else:  # a button of a draft already sent or cancelled
                self.say("bot_stale_button")
                self._menu()
        else:
            self._text()  # not ours (a template's quick reply): its words count

    # --- menu, info, status --------------------------------------------------------------

    def _menu(self, greet: bool = False) -> None:
        if self.conv.step == "comment":
            self.conv.step = ""
        rows = []
        if self._has_draft():
            rows.append(("menu:resume", say("bot_menu_resume"), say("bot_menu_resume_desc")))
        rows.append(("menu:report", say("bot_menu_report"), say("bot_menu_report_desc")))
        for complaint in status.running(self.reporter)[:5]:
            desc = say("bot_menu_open_desc", status=Status(complaint.status).label)
            rows.append((f"status:{complaint.code}", complaint.code, desc))
        rows.append(("menu:status", say("bot_menu_status"), say("bot_menu_status_desc")))
        rows.append(("menu:info", say("bot_menu_info"), say("bot_menu_info_desc")))
        body = say("bot_menu")
        if greet:
            name = self.reporter.name or self.reporter.profile_name
            profile = ServiceProfile.get()
            greeting = say(
                "bot_greeting", name=f" {name}" if name else "", privacy_url=_privacy(profile)
            )
            body = f"{greeting}\n\n{body}"
        self.send(wa.list_message(body, say("bot_menu_button"), rows=rows[: wa.LIST_ROWS_MAX]))

    def _menu_choice(self, choice: str) -> None:
        if choice == "report":
            self._start(fresh=False)
        elif choice == "resume":
            self._resume()
        elif choice == "status":
            self._status(())
        elif choice == "info":
            self._info()
        else:
            self.say("bot_stale_button")
            self._menu()

    def _info(self) -> None:
        profile = ServiceProfile.get()
        categories = "\n".join(
            f"• {c.name}" for c in Category.objects.filter(active=True).exclude(code="lainnya")
        )
        self.say(
            "bot_info",
            categories=categories,
            hours=profile.service_hours,
            address=profile.address,
            numbers=_numbers(),
        )

    def _status(self, codes) -> None:
        if self.conv.step == "comment":
            self.conv.step = ""
        mine = status.mine(self.reporter).select_related("category")
        if codes:
            for code in list(dict.fromkeys(codes))[:3]:
                complaint = mine.filter(code=code).first()
                if complaint is None:
                    self.say("bot_status_not_found", code=code)
                else:
                    self.complaint = complaint
                    self.out.extend(wa.text(status.describe(complaint, self.reporter)))
            return
        running = list(status.running(self.reporter).select_related("category")[:10])
        if not running:
            self.say("bot_status_none")
        elif len(running) == 1:
            self.complaint = running[0]
            self.out.extend(wa.text(status.describe(running[0], self.reporter)))
        else:
            rows = [
                (f"status:{c.code}", c.code, f"{c.category.name} — {Status(c.status).label}")
                for c in running
            ]
            self.send(
                wa.list_message(say("bot_status_pick"), say("bot_status_pick_button"), rows=rows)
            )

    # --- outside the questions -----------------------------------------------------------

    def _idle_text(self) -> None:
        words = self.words
        pending = self._pending_rating()
        if pending is not None and words.rating is not None:
            self._rate(pending, words.rating)
            return
        complaint = self._followed()
        if complaint is not None and (words.substantive or words.codes or not words.command):
            self._attach_to(complaint, answer=self.message.text)
            return
        if words.substantive:
            self._start_with_text(self.message.text)
            return
        self._menu(greet=True)

    def _followed(self) -> Complaint | None:
        """The running complaint a message belongs to: the one it quotes, else the one it
        names, else the latest."""
        running = status.running(self.reporter)
        quoted = _quoted_complaint(self.message)
        if quoted is not None and running.filter(pk=quoted).exists():
            return running.get(pk=quoted)
        for code in self.words.codes:
            named = running.filter(code=code).first()
            if named is not None:
                return named
        return running.first()

    def _attach_to(self, complaint: Complaint, answer: str = "") -> None:
        """The citizen's words and files go to their complaint, for staff to read; an
        answer to "needs more information" returns the complaint to where it was."""
        self.complaint = complaint
        InboundMessage.objects.filter(pk=self.message.pk).update(complaint=complaint)
        if self.message.type in MEDIA_TYPES:
            attach_message(complaint, self.message)
        is_reporter = complaint.reporter_id == self.reporter.pk
        if complaint.status == Status.NEEDS_INFO and is_reporter:
            text = (answer or "").strip() or f"({MEDIA_WORDS.get(self.message.type, 'Pesan')})"
            if self.message.type == "location":
                text = f"Titik lokasi: {_pin_text(self.message)}"
            workflow.answer_info(complaint, actor=self.reporter, answer=text)
            return  # the workflow thanks the citizen
        self.say("bot_attached", code=complaint.code)

    # --- ratings -------------------------------------------------------------------------

    def _pending_rating(self) -> Complaint | None:
        rated = Rating.objects.filter(reporter=self.reporter).values("complaint_id")
        waiting = (
            status.mine(self.reporter)
            .filter(status__in=[Status.DONE, Status.CLOSED], done_at__isnull=False)
            .exclude(pk__in=rated)
        )
        quoted = _quoted_complaint(self.message)
        if quoted is not None and waiting.filter(pk=quoted).exists():
            return waiting.get(pk=quoted)
        # A closed one (closed unrated, or a supporter's) only lately.
        recent = timezone.now() - timedelta(days=7)
        return (
            waiting.exclude(status=Status.CLOSED, done_at__lt=recent).order_by("-done_at").first()
        )

    def _rate_tap(self, rest: str) -> None:
        pk, _, score = rest.partition(":")
        complaint = status.mine(self.reporter).filter(pk=_int(pk)).first()
        if complaint is None or _int(score) not in range(1, 6):
            self.say("bot_stale_button")
            return
        self._rate(complaint, _int(score))

    def _rate(self, complaint: Complaint, score: int) -> None:
        self.complaint = complaint
        if Rating.objects.filter(complaint=complaint, reporter=self.reporter).exists():
            self.say("bot_rate_already", code=complaint.code)
            return
        try:
            workflow.rate(complaint, actor=self.reporter, score=score)
        except StepRefused:
            self.say("bot_rate_already", code=complaint.code)
            return
        # The workflow thanks the citizen and invites a comment; the next words are it.
        self.conv.step = "comment"
        self.conv.complaint = complaint

    def _comment(self) -> None:
        complaint = self.conv.complaint
        self.conv.step = ""
        self.conv.complaint = None
        if complaint is None:
            self._idle_text()
            return
        self.complaint = complaint
        InboundMessage.objects.filter(pk=self.message.pk).update(complaint=complaint)
        workflow.comment_rating(complaint, actor=self.reporter, comment=self.message.text)
        self.say("bot_comment_saved")

    # --- the draft -----------------------------------------------------------------------

    def _has_draft(self) -> bool:
        return bool(self.draft.get("category") or self.draft.get("description"))

    def _has_photo(self) -> bool:
        media = self.draft.get("media", [])
        return InboundMessage.objects.filter(pk__in=media, type__in=PHOTO_TYPES).exists()

    def _start(self, fresh: bool) -> None:
        if fresh or not self.conv.step:
            kept = {} if fresh else _carry(self.draft)
            self.draft = {**kept, "started": timezone.now().isoformat()}
        self.conv.complaint = None
        self._advance()

    def _start_with_text(self, text: str) -> None:
        """The whole complaint in one message: it becomes the description, and only what
        is missing is asked."""
        kept = _carry(self.draft)
        self.draft = {**kept, "started": timezone.now().isoformat()}
        self._set_description(text)
        self._guess_from(text)
        self._advance()

    def _resume(self) -> None:
        if not self._has_draft():
            self.say("bot_no_draft")
            self._menu()
            return
        self.say("bot_resumed")
        self._advance(keep_step=True)

    def _cancel(self) -> None:
        if self.conv.step in DRAFT_STEPS or self._has_draft():
            self._reset()
            self.say("bot_cancelled")
            return
        self.conv.step = ""
        self.say("bot_nothing_to_cancel")
        self._menu()

    def _back(self) -> None:
        history = self.draft.get("history", [])
        current = self.conv.step
        while history and history[-1] == current:
            history.pop()
        if not history:
            self._reset()
            self._menu()
            return
        previous = history.pop()
        self.draft["history"] = history
        self._ask(previous)

    def _guess_from(self, text: str) -> None:
        d = self.draft
        if not d.get("category"):
            pairs = Category.objects.filter(active=True).values_list("code", "keywords")
            d["category"] = guess_category(text, pairs)
        if not (d.get("kecamatan") or d.get("lat")):
            kec, desa = _place_in(text)
            if kec:
                d["kecamatan"], d["desa"] = kec, desa
                d["place_from_text"] = True

    def _set_description(self, text: str) -> None:
        self.draft["description"] = text.strip()
        self._keep_message()

    def _keep_message(self) -> None:
        ids = self.draft.setdefault("messages", [])
        if self.message.pk not in ids:
            ids.append(self.message.pk)

    def _keep_media(self) -> int:
        self._keep_message()
        media = self.draft.setdefault("media", [])
        if self.message.pk not in media:
            media.append(self.message.pk)
        return len(media)

    def _set_pin(self) -> bool:
        loc = _location(self.message)
        if loc is None:
            self.say("bot_unsupported")
            return False
        lat, lng, name = loc
        kec, inside = nearby.kecamatan_at(lat, lng)
        if not inside:
            self.say("bot_location_outside")
            if self.conv.step in DRAFT_STEPS:
                self._ask(self.conv.step, prefix=False)
            return False
        d = self.draft
        d["lat"], d["lng"] = round(lat, 6), round(lng, 6)
        if kec is not None and (not d.get("kecamatan") or d.get("place_from_text")):
            if d.get("kecamatan") != kec.pk:
                d["desa"] = None
            d["kecamatan"] = kec.pk
        if name:
            d["address"] = name[:300]
        d["nearby_checked"] = False
        self._keep_message()
        return True

    def _draft_media(self, step: str) -> None:
        count = self._keep_media()
        caption = (self.message.text or "").strip()
        kind = self.message.type
        if step == "description":
            if caption or kind == "audio":
                self._set_description(caption or "(pesan suara, lihat lampiran)")
                self._guess_from(caption)
                self._advance()
            else:
                self.say("bot_description_photo_only")
            return
        if step == "photos" and kind in PHOTO_TYPES:
            self.draft["photos_asked"] = True
            self.say("bot_photo_received", count=count)
            self._advance()
            return
        if kind == "image":
            self.say("bot_photo_received", count=count)
        else:
            self.say("bot_media_received", kind=MEDIA_WORDS.get(kind, "Berkas"))

    def _step_text(self, step: str) -> None:
        text = (self.message.text or "").strip()
        words, d = self.words, self.draft
        if step == "category":
            pairs = list(Category.objects.filter(active=True).values_list("code", "keywords"))
            code = _category_by_name(text) or guess_category(text, pairs)
            if code:
                d["category"] = code
                if words.substantive and not d.get("description"):
                    self._set_description(text)
                    self._guess_from(text)
                self._advance()
            elif words.substantive and not d.get("description"):
                self._set_description(text)
                self._guess_from(text)
                self._advance()
            else:
                self._ask("category", prefix=True)
        elif step == "description":
            if words.command == "skip" or len(text.replace(" ", "")) < 3:
                self.say("bot_description_too_short")
            else:
                self._set_description(text)
                self._guess_from(text)
                self._advance()
        elif step == "location":
            if words.command == "skip":
                self.say("bot_location_required")
                self._ask("location")
            else:
                self._typed_place(text)
        elif step == "kecamatan":
            kec, desa = _place_in(text)
            if kec:
                d["kecamatan"], d["desa"] = kec, desa
                self._advance()
            else:
                self._ask("kecamatan", prefix=True)
        elif step == "pin":
            if words.command != "skip":
                d["address"] = (f"{d.get('address', '')} {text}".strip())[:300]
                self._keep_message()
            d["pin_asked"] = True
            self._advance()
        elif step == "photos":
            if words.command == "skip" or words.command == "send":
                d["photos_asked"] = True
                self._advance()
            elif words.substantive:
                d["description"] = f"{d.get('description', '')}\n{text}".strip()
                self._keep_message()
                self._ask("photos")
            else:
                self._ask("photos", prefix=True)
        elif step == "identity":
            choice = _identity_in(text)
            if choice:
                d["confidentiality"] = choice
                self._advance()
            else:
                self._ask("identity", prefix=True)
        elif step == "summary":
            if words.command == "send":
                self._submit()
            elif words.command == "change":
                self._ask("change")
            else:
                self._ask("summary", prefix=True)
        elif step == "change":
            part = _part_in(text)
            if part:
                self._change(part)
            else:
                self._ask("change", prefix=True)
        elif step == "nearby":
            lowered = text.lower()
            if "gabung" in lowered or words.command in ("send",):
                self._nearby_choice(f"join:{d.get('nearby_offer')}")
            elif words.command in ("new", "report", "skip"):
                self._nearby_choice("new")
            else:
                self._ask("nearby", prefix=True)

    def _typed_place(self, text: str) -> None:
        d = self.draft
        d["address"] = text[:300]
        self._keep_message()
        kec, desa = _place_in(text)
        if kec:
            d["kecamatan"], d["desa"] = kec, desa
            d["pin_asked"] = True  # the location question offered the pin already
            self._advance()
        else:
            d["kecamatan"] = d["desa"] = None
            self._ask("kecamatan")

    def _draft_tap(self, head: str, value: str) -> None:
        d = self.draft
        if head == "cat":
            if value.startswith("more"):
                d["category_page"] = _int(value.partition(":")[2]) or 0
                self._ask("category")
                return
            if not Category.objects.filter(code=value, active=True).exists():
                self.say("bot_stale_button")
                self._ask("category")
                return
            d["category"] = value
            d["nearby_checked"] = False
        elif head == "kec":
            if not Kecamatan.objects.filter(pk=_int(value)).exists():
                self.say("bot_stale_button")
                self._ask("kecamatan")
                return
            if d.get("kecamatan") != _int(value):
                d["desa"] = None
            d["kecamatan"] = _int(value)
        elif head == "id":
            if value not in Confidentiality.values:
                self._ask("identity", prefix=True)
                return
            d["confidentiality"] = value
        elif head == "sum":
            if value == "send":
                self._submit()
            elif value == "change":
                self._ask("change")
            else:
                self._reset()
                self.say("bot_cancelled")
            return
        elif head == "chg":
            if value in CHANGEABLE:
                self._change(value)
            else:
                self._ask("change", prefix=True)
            return
        elif head == "skip":
            step = self.conv.step
            if step == "photos":
                d["photos_asked"] = True
            elif step == "pin":
                d["pin_asked"] = True
            elif step == "location":
                self.say("bot_location_required")
                self._ask("location")
                return
        self._advance()

    def _change(self, part: str) -> None:
        d = self.draft
        if part == "location":
            for key in ("lat", "lng", "kecamatan", "desa", "address", "place_from_text"):
                d.pop(key, None)
            d["pin_asked"] = False
            d["nearby_checked"] = False
        elif part == "photos":
            d["photos_asked"] = False
        else:
            d.pop({"category": "category", "description": "description"}.get(part, ""), None)
            if part == "identity":
                d.pop("confidentiality", None)
        self._ask("photos" if part == "photos" else part)

    # --- asking ------------------------------------------------------------------------

    def _advance(self, keep_step: bool = False) -> None:
        """Ask the next thing missing; the summary once nothing is."""
        if keep_step and self.conv.step in DRAFT_STEPS and self.conv.step != "nearby":
            self._ask(self.conv.step)
            return
        self._ask(self._next_step())

    def _next_step(self) -> str:
        d = self.draft
        if not d.get("category"):
            return "category"
        if not d.get("description"):
            return "description"
        if d.get("lat") is None and not d.get("kecamatan"):
            return "location"
        if d.get("lat") is None and d.get("place_from_text") and not d.get("pin_asked"):
            return "pin"
        if not d.get("nearby_checked"):
            d["nearby_checked"] = True
            if d.get("lat") is not None:
                offer = nearby.similar(d["category"], d["lat"], d["lng"], self.reporter)
                if offer is not None:
                    d["nearby_offer"] = offer.pk
                    return "nearby"
        if not d.get("photos_asked") and not self._has_photo():
            return "photos"
        if not d.get("confidentiality"):
            return "identity"
        return "summary"

    def _ask(self, step: str, prefix: bool = False) -> None:
        """Put one question (one message: buttons or a list where choices are fixed)."""
        d = self.draft
        if prefix:
            self.say("bot_not_understood")
        history = d.setdefault("history", [])
        if not history or history[-1] != step:
            history.append(step)
            del history[:-12]
        self.conv.step = step
        skip = [("skip", say("bot_btn_skip"))]
        if step == "category":
            self.send(_category_list(d.get("category_page", 0)))
        elif step == "description":
            self.say("bot_ask_description")
        elif step == "location":
            self.send(wa.location_request(say("bot_ask_location")))
        elif step == "pin":
            self.send(wa.location_request(say("bot_ask_pin_too", place=_place_text(d))))
        elif step == "kecamatan":
            rows = [(f"kec:{k.pk}", k.name) for k in Kecamatan.objects.order_by("name")]
            self.send(
                wa.list_message(say("bot_ask_kecamatan"), say("bot_kecamatan_button"), rows=rows)
            )
        elif step == "nearby":
            offer = Complaint.objects.filter(pk=d.get("nearby_offer")).first()
            if offer is None:
                self._ask(self._next_step())
                return
            body = say(
                "bot_nearby",
                category=offer.category.name,
                area=nearby.area(offer),
                status=Status(offer.status).label,
            )
            choices = [(f"near:join:{offer.pk}", say("bot_btn_join"))]
            choices.append(("near:new", say("bot_btn_new")))
            self.send(wa.buttons(body, choices))
        elif step == "photos":
            self.send(wa.buttons(say("bot_ask_photos"), skip))
        elif step == "identity":
            choices = [(f"id:{c}", say(f"bot_btn_{c}")) for c in Confidentiality.values]
            self.send(wa.buttons(say("bot_ask_identity"), choices))
        elif step == "summary":
            self.send(wa.buttons(_summary(d), _summary_buttons()))
        elif step == "change":
            rows = [(f"chg:{part}", say(f"bot_chg_{part}")) for part in CHANGEABLE]
            self.send(wa.list_message(say("bot_ask_change"), say("bot_change_button"), rows=rows))

    # --- nearby and Kirim ----------------------------------------------------------------

    def _nearby_choice(self, choice: str) -> None:
        d = self.draft
        if choice.startswith("join:") and self._has_draft():
            target = Complaint.objects.filter(pk=_int(choice.partition(":")[2])).first()
            if target is None or target.pk != d.get("nearby_offer"):
                self.say("bot_stale_button")
                self._advance()
                return
            try:
                workflow.support(target, actor=self.reporter, note=d.get("description", ""))
            except StepRefused:
                self.say("bot_stale_button")
                d.pop("nearby_offer", None)
                self._advance()
                return
            self._link_draft(target)
            self.complaint = target
            self._reset()
            return  # the workflow tells the new supporter
        if choice == "new" and self._has_draft():
            d.pop("nearby_offer", None)
            self._advance()
            return
        self.say("bot_stale_button")
        self._menu()

    def _submit(self) -> None:
        d = self.draft
        missing = self._next_step()
        if missing != "summary":
            self._ask(missing)
            return
        category = Category.objects.filter(code=d["category"], active=True).first()
        if category is None:
            d.pop("category", None)
            self._ask("category")
            return
        kecamatan = Kecamatan.objects.filter(pk=d.get("kecamatan")).first()
        desa = Desa.objects.filter(pk=d.get("desa"), kecamatan=kecamatan).first()
        complaint = workflow.file_complaint(
            actor=self.reporter,
            category=category,
            description=d["description"],
            confidentiality=d["confidentiality"],
            priority=Priority.URGENT if d.get("urgent") else None,
            lat=_decimal(d.get("lat")),
            lng=_decimal(d.get("lng")),
            address=d.get("address", ""),
            kecamatan=kecamatan,
            desa=desa,
        )
        self._link_draft(complaint)
        self.complaint = complaint
        self._reset()
        # The workflow's "received" notification carries the code, what happens next and
        # when to expect an answer.

    def _link_draft(self, complaint: Complaint) -> None:
        ids = set(self.draft.get("messages", [])) | {self.message.pk}
        InboundMessage.objects.filter(pk__in=ids, complaint__isnull=True).update(
            complaint=complaint
        )
        for message in InboundMessage.objects.filter(pk__in=self.draft.get("media", [])):
            attach_message(complaint, message)


# --- the rating list after "done", and refused files --------------------------------------


def rating_followup(notification) -> list[dict]:
    """The 1–5 list after the "done" text, while a normal message can still go."""
    person, complaint = notification.to_reporter, notification.complaint
    if person is None or complaint is None:
        return []
    last = person.last_inbound_at
    if last is None or timezone.now() - last > WINDOW:
        return []
    # The team's chosen photo comes with the result, before the question.
    chosen = complaint.media.filter(for_citizen=True).order_by("pk").first()
    if chosen is None:
        return [rating_list(complaint)]
    caption = say("bot_result_photo", code=complaint.code)
    return [wa.stored_image(chosen.pk, caption), rating_list(complaint)]


def rating_list(complaint: Complaint) -> dict:
    rows = [(f"rate:{complaint.pk}:{n}", say(f"bot_rate_{n}")) for n in range(5, 0, -1)]
    return wa.list_message(
        say("bot_rate_ask", code=complaint.code), say("bot_rate_button"), rows=rows
    )


def media_refused(media_pk: int) -> None:
    """A citizen's file could not be kept (too large, broken): tell them, kindly."""
    media = InboundMedia.objects.select_related("message__reporter").filter(pk=media_pk).first()
    if media is None or media.message.reporter is None:
        return
    message = media.message
    with transaction.atomic():
        replies.send(
            message.reporter,
            wa.text(
                say(
                    "bot_media_refused",
                    kind=MEDIA_WORDS.get(message.type, "berkas").lower(),
                    reason=media.error or "-",
                )
            ),
            message=message,
            complaint=message.complaint,
        )


def set_aside_idle(now=None) -> int:
    """Drafts idle for IDLE_AFTER are put aside and their citizens told how to resume."""
    now = now or timezone.now()
    idle = Conversation.objects.filter(
        reporter__isnull=False,
        step__in=DRAFT_STEPS,
        set_aside_at__isnull=True,
        updated_at__lt=now - IDLE_AFTER,
    )
    done = 0
    for pk in list(idle.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            conv = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("reporter")
                .filter(pk=pk, set_aside_at__isnull=True, updated_at__lt=now - IDLE_AFTER)
                .first()
            )
            if conv is None:
                continue
            conv.set_aside_at = now
            conv.save(update_fields=["set_aside_at"])
            replies.send(conv.reporter, wa.text(say("bot_set_aside")))
            done += 1
    return done


# --- small helpers ------------------------------------------------------------------------


def _conversation(reporter: Reporter) -> Conversation:
    conv, _ = Conversation.objects.select_for_update().get_or_create(reporter=reporter)
    return conv


def _carry(draft: dict) -> dict:
    """What a citizen sent before choosing "Buat aduan" (a photo, a pin) stays."""
    keys = ("messages", "media", "lat", "lng", "kecamatan", "desa", "address", "urgent")
    keys += ("emergency_told",)
    return {k: draft[k] for k in keys if k in draft}


def _location(message: InboundMessage):
    loc = (message.payload or {}).get("location") or {}
    try:
        lat, lng = float(loc["latitude"]), float(loc["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    name = ", ".join(str(loc[k]) for k in ("name", "address") if loc.get(k))
    return lat, lng, name


def _pin_text(message: InboundMessage) -> str:
    loc = _location(message)
    return f"{loc[0]:.6f}, {loc[1]:.6f}" if loc else "-"


def _quoted_complaint(message: InboundMessage) -> int | None:
    wamid = message.context_wamid
    if not wamid:
        return None
    found = OutboundMessage.objects.filter(wamid=wamid).values_list("complaint_id", flat=True)
    found = found.first() or (
        InboundMessage.objects.filter(wamid=wamid).values_list("complaint_id", flat=True).first()
    )
    return found


def _place_in(text: str) -> tuple[int | None, int | None]:
    kecamatan = Kecamatan.objects.values_list("pk", "name")
    desa = Desa.objects.values_list("pk", "name", "kecamatan_id")
    return find_place(text, kecamatan, desa)


def _category_by_name(text: str) -> str | None:
    wanted = " ".join(text.lower().split())
    for code, name in Category.objects.filter(active=True).values_list("code", "name"):
        if wanted and wanted in (code, name.lower()):
            return code
    return None


def _identity_in(text: str) -> str | None:
    lowered = text.lower()
    found = [c for c, words in IDENTITY_WORDS.items() if any(w in lowered for w in words)]
    return found[0] if len(found) == 1 else None


def _part_in(text: str) -> str | None:
    lowered = text.lower()
    for part in CHANGEABLE:
        if part in lowered or say(f"bot_chg_{part}").lower() in lowered:
            return part
    aliases = {"uraian": "description", "foto": "photos", "kejadian": "description"}
    return next((part for word, part in aliases.items() if word in lowered), None)


def _category_list(page: int) -> dict:
    categories = list(
        Category.objects.filter(active=True).values_list("code", "name", "description")
    )
    per_page = wa.LIST_ROWS_MAX - 1
    if len(categories) <= wa.LIST_ROWS_MAX:
        rows = [(f"cat:{c}", n, d) for c, n, d in categories]
    else:
        start = page * per_page
        chunk = categories[start : start + per_page]
        if not chunk:
            chunk, page = categories[:per_page], 0
        rows = [(f"cat:{c}", n, d) for c, n, d in chunk]
        nxt = page + 1 if start + per_page < len(categories) else 0
        rows.append((f"cat:more:{nxt}", wa.MORE_TITLE, wa.MORE_DESCRIPTION))
    return wa.list_message(say("bot_ask_category"), say("bot_category_button"), rows=rows)


def _summary(d: dict) -> str:
    category = Category.objects.filter(code=d.get("category")).values_list("name", flat=True)
    media = len(d.get("media", []))
    return say(
        "bot_summary",
        category=category.first() or "-",
        description=wa.shorten(d.get("description", ""), 400),
        place=_place_text(d),
        media=f"{media} berkas" if media else "tidak ada",
        identity=Confidentiality(d.get("confidentiality") or "biasa").label,
    )


def _summary_buttons() -> list[tuple[str, str]]:
    return [
        ("sum:send", say("bot_btn_send")),
        ("sum:change", say("bot_btn_change")),
        ("sum:cancel", say("bot_btn_cancel")),
    ]


def _place_text(d: dict) -> str:
    parts = [d.get("address") or ""]
    desa = Desa.objects.filter(pk=d.get("desa")).values_list("name", flat=True).first()
    kec = Kecamatan.objects.filter(pk=d.get("kecamatan")).values_list("name", flat=True).first()
    parts += [desa or "", f"Kec. {kec}" if kec else ""]
    if d.get("lat") is not None:
        parts.append(f"titik {d['lat']:.5f}, {d['lng']:.5f}")
    return ", ".join(p for p in parts if p) or "-"


def _numbers() -> str:
    return "\n".join(f"• {n.name}: {n.number}" for n in EmergencyNumber.objects.all()) or "• 112"


def _privacy(profile: ServiceProfile) -> str:
    from django.conf import settings

    url = profile.privacy_url or "/publik/privasi/"
    if url.startswith("/"):
        url = getattr(settings, "LALISA_PUBLIC_URL", "").rstrip("/") + url
    return url


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""Builders for the message objects the Cloud API takes (`type` + its object, no recipient).

Meta's limits hold by construction: text over a limit is split (plain text) or shortened
with "…" (titles, headers, interactive bodies), never sent for Meta to refuse. Lengths are
counted as Meta counts them, in characters (Python `len`), and a cut never lands inside an
emoji sequence (ZWJ families, skin tones, flags, keycaps) or before a combining mark.

Ids are ours, not the reader's: an empty, over-long or repeated id is a bug and raises
ValueError rather than being silently altered.
"""

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

log = logging.getLogger(__name__)

TEXT_MAX = 4096
# Meta allows 4096 in a list body, 1024 in the others; 1024 is accepted everywhere.
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10
LIST_BUTTON_MAX = 20
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
SECTION_TITLE_MAX = 24
CAPTION_MAX = 1024
TEMPLATE_BODY_MAX = 1024

ELLIPSIS = "…"
MORE_TITLE = "Lainnya…"
MORE_DESCRIPTION = "Tampilkan pilihan lain"
DEFAULT_LIST_BUTTON = "Pilih"


# --- cutting text safely ----------------------------------------------------------------

ZWJ = "\u200d"


def _is_regional_indicator(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _extends(ch: str) -> bool:
    """True for a character that belongs to the one before it (a cut before it would
    split a visible character)."""
    if ch == ZWJ or ch == "\u20e3":  # joiner, keycap
        return True
    if "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":  # variation sel.
        return True
    if "\U0001f3fb" <= ch <= "\U0001f3ff":  # skin tones
        return True
    if "\U000e0020" <= ch <= "\U000e007f":  # tag sequences (subdivision flags)
        return True
    if "\udc00" <= ch <= "\udfff":  # low surrogate of a broken pair
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def safe_cut(text: str, limit: int) -> int:
    """The largest index ≤ limit where `text` may be cut without splitting a character."""
    if limit >= len(text):
        return len(text)
    i = max(limit, 0)
    while i > 0:
        before, after = text[i - 1], text[i]
        if _extends(after) or before == ZWJ or (before == "\r" and after == "\n"):
            i -= 1
            continue
        if _is_regional_indicator(before) and _is_regional_indicator(after):
            run = 0
            while i - run - 1 >= 0 and _is_regional_indicator(text[i - run - 1]):
                run += 1
            if run % 2:  # inside a flag (pairs of indicators)
                i -= 1
                continue
        break
    return i


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending with "…" when it had to be cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: safe_cut(text, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def _required(value, what: str) -> str:
    value = "" if value is None else str(value).strip()
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


# --- splitting long text ----------------------------------------------------------------

# Break points in order of preference: a paragraph, a line, a sentence, a word.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?…](?=\s)"),
    re.compile(r"\s"),
)


def _break_at(text: str, limit: int) -> int:
    """Where to end the first chunk of `text` (longer than `limit`): the last good break in
    the second half of the first `limit` characters, else the last one anywhere, else a
    hard cut that keeps emoji whole."""
    window = text[:limit]
    for minimum in (limit // 2, 1):
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if m.end() >= minimum]
            if ends:
                return ends[-1]
    return safe_cut(text, limit)


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at paragraphs, then lines,
    then sentences, then words; never inside an emoji."""
    rest = text.strip()
    pieces = []
    while len(rest) > limit:
        cut = _break_at(rest, limit)
        if cut <= 0:  # one "character" longer than the limit: nothing safe to do but cut
            cut = limit
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


# --- message objects --------------------------------------------------------------------


def text(body: str, preview_url: bool = False) -> list[dict]:
    """One text message per ≤ 4096-character piece of `body` (usually just one)."""
    body = _required(body, "text body")
    return [
        {"type": "text", "text": {"preview_url": preview_url, "body": piece}}
        for piece in split_text(body, TEXT_MAX)
    ]


def _text_part(value: str | None, limit: int) -> str | None:
    value = one_line(value or "")
    return shorten(value, limit) if value else None


def _interactive(kind: str, body: str, action: dict, header=None, footer=None) -> dict:
    interactive = {"type": kind}
    header = _text_part(header, HEADER_MAX)
    if header:
        interactive["header"] = {"type": "text", "text": header}
    interactive["body"] = {"text": shorten(_required(body, "body"), INTERACTIVE_BODY_MAX)}
    footer = _text_part(footer, FOOTER_MAX)
    if footer:
        interactive["footer"] = {"text": footer}
    interactive["action"] = action
    return {"type": "interactive", "interactive": interactive}


def unique_titles(titles: Iterable[str], limit: int) -> list[str]:
    """Each title shortened to `limit`; repeats (case-insensitive, as people read them)
    get " (2)", " (3)"… so every title stays distinct within the limit."""
    seen: set[str] = set()
    out = []
    for raw in titles:
        original = one_line(_required(raw, "title"))
        title, n = shorten(original, limit), 2
        while title.casefold() in seen:
            suffix = f" ({n})"
            title = shorten(original, limit - len(suffix)) + suffix
            n += 1
        seen.add(title.casefold())
        out.append(title)
    return out


def _check_ids(ids: Sequence[str], limit: int) -> list[str]:
    ids = [_required(i, "id") for i in ids]
    for i in ids:
        if len(i) > limit:
            raise ValueError(f"id longer than {limit} characters: {i[:40]}…")
    if len(set(ids)) != len(ids):
        raise ValueError(f"ids must be unique: {ids}")
    return ids


def buttons(
    body: str,
    choices: Sequence[tuple[str, str]],
    header: str | None = None,
    footer: str | None = None,
    *,
    list_button: str = DEFAULT_LIST_BUTTON,
) -> dict:
    """Reply buttons: `choices` are (id, title). More than three become a list."""
    if not choices:
        raise ValueError("buttons need at least one choice")
    if len(choices) > BUTTONS_MAX:
        return list_message(body, list_button, rows=choices, header=header, footer=footer)
    ids = _check_ids([c[0] for c in choices], BUTTON_ID_MAX)
    titles = unique_titles([c[1] for c in choices], BUTTON_TITLE_MAX)
    action = {
        "buttons": [
            {"type": "reply", "reply": {"id": i, "title": t}}
            for i, t in zip(ids, titles, strict=True)
        ]
    }
    return _interactive("button", body, action, header, footer)


def _row(item) -> dict:
    if isinstance(item, dict):
        return {k: item[k] for k in ("id", "title", "description") if item.get(k)}
    row = {"id": item[0], "title": item[1]}
    if len(item) > 2 and item[2]:
        row["description"] = item[2]
    return row


def _section(item) -> tuple[str, list[dict]]:
    if isinstance(item, dict):
        return item.get("title") or "", [_row(r) for r in item.get("rows", [])]
    return item[0] or "", [_row(r) for r in item[1]]


def list_message(
    body: str,
    button_text: str = DEFAULT_LIST_BUTTON,
    sections: Sequence | None = None,
    *,
    rows: Sequence | None = None,
    header: str | None = None,
    footer: str | None = None,
    more_id: str | None = None,
) -> dict:
    """A list message. Give `rows` for one untitled section, or `sections` as
    (title, rows) pairs or {"title", "rows"} dicts; a row is (id, title[, description]) or
    a {"id", "title", "description"} dict.

    At most 10 rows fit in all sections together. Past that, the rows after the 10th are
    dropped (and logged); when `more_id` is given the 10th row becomes "Lainnya…" with that
    id instead, so the caller can offer the rest on the next page."""
    if sections is None:
        sections = [("", rows or [])]
    parts = [(title, section_rows) for title, section_rows in map(_section, sections)]
    parts = [(title, section_rows) for title, section_rows in parts if section_rows]
    if not parts:
        raise ValueError("a list needs at least one row")

    total = sum(len(section_rows) for _title, section_rows in parts)
    if total > LIST_ROWS_MAX:
        keep = LIST_ROWS_MAX - (1 if more_id else 0)
        log.warning("list of %d rows cut to %d (more_id=%r)", total, keep, more_id)
        trimmed, left = [], keep
        for title, section_rows in parts:
            if left <= 0:
                break
            trimmed.append((title, section_rows[:left]))
            left -= len(trimmed[-1][1])
        if more_id:
            more = {"id": more_id, "title": MORE_TITLE, "description": MORE_DESCRIPTION}
            trimmed[-1] = (trimmed[-1][0], [*trimmed[-1][1], more])
        parts = trimmed

    all_rows = [row for _title, section_rows in parts for row in section_rows]
    ids = _check_ids([r["id"] for r in all_rows], ROW_ID_MAX)
    titles = iter(unique_titles([r["title"] for r in all_rows], ROW_TITLE_MAX))
    ids_iter = iter(ids)
    out_sections = []
    section_titles = unique_titles(
        [title or f"Pilihan {n}" for n, (title, _rows) in enumerate(parts, 1)],
        SECTION_TITLE_MAX,
    )
    for section_title, (title, section_rows) in zip(section_titles, parts, strict=True):
        out_rows = []
        for row in section_rows:
            out = {"id": next(ids_iter), "title": next(titles)}
            description = _text_part(row.get("description"), ROW_DESCRIPTION_MAX)
            if description:
                out["description"] = description
            out_rows.append(out)
        section = {"rows": out_rows}
        # A title is required once there are several sections; keep one if given.
        if title or len(parts) > 1:
            section = {"title": section_title, "rows": out_rows}
        out_sections.append(section)
    button = shorten(one_line(button_text or DEFAULT_LIST_BUTTON), LIST_BUTTON_MAX)
    action = {"button": button, "sections": out_sections}
    return _interactive("list", body, action, header, footer)


def location_request(body: str) -> dict:
    """Asks the reader to share a location (the answer arrives as a location message)."""
    return _interactive("location_request_message", body, {"name": "send_location"})


def image(link: str | None = None, *, media_id: str | None = None, caption: str = "") -> dict:
    """An image by uploaded media id, or by a public https link."""
    if bool(link) == bool(media_id):
        raise ValueError("give either link or media_id")
    obj = {"link": link} if link else {"id": media_id}
    if caption and caption.strip():
        obj["caption"] = shorten(caption, CAPTION_MAX)
    return {"type": "image", "image": obj}


def stored_image(media_pk: int, caption: str = "") -> dict:
    """A photo kept on a complaint; uploaded to Meta when it is sent (whatsapp.upload)."""
    obj = {"lalisa_media": media_pk}
    if caption and caption.strip():
        obj["caption"] = shorten(caption, CAPTION_MAX)
    return {"type": "image", "image": obj}


def template_param(value) -> str:
    """Meta refuses a template parameter with a newline, a tab or more than four spaces in
    a row, and an empty one: flatten it, and say "-" for nothing."""
    value = one_line("" if value is None else str(value))
    return value or "-"


def _fit_params(params: list[str], body: str | None) -> list[str]:
    """Shorten the longest parameters until the filled-in body fits Meta's 1024."""
    params = [shorten(p, TEMPLATE_BODY_MAX) for p in params]
    if not body:
        return params
    fixed = len(re.sub(r"\{\{\d+\}\}", "", body))
    budget = TEMPLATE_BODY_MAX - fixed
    while sum(map(len, params)) > budget:
        longest = max(range(len(params)), key=lambda i: len(params[i]))
        excess = sum(map(len, params)) - budget
        target = max(len(params[longest]) - excess, 2)
        if target >= len(params[longest]):
            break  # nothing left to shorten
        params[longest] = shorten(params[longest], target)
    return params


def template(
    name: str, language: str = "id", params: Sequence = (), *, body: str | None = None
) -> dict:
    """An approved template with positional body parameters ({{1}}, {{2}}, …). With the
    template's `body`, long parameters are shortened so the filled-in text stays ≤ 1024."""
    values = _fit_params([template_param(p) for p in params], body)
    obj: dict = {"name": _required(name, "template name"), "language": {"code": language}}
    if values:
        obj["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        ]
    return {"type": "template", "template": obj}


def fill_template(body: str, params: Sequence) -> str:
    """What a template says with its parameters filled in (for staff to read)."""
    values = [str(p) for p in params]

    def value(match):
        n = int(match.group(1))
        return values[n - 1] if 0 < n <= len(values) else match.group(0)

    return re.sub(r"\{\{(\d+)\}\}", value, body)


def reply_to(payload: dict, wamid: str) -> dict:
    """The same message as a quoted reply to the message `wamid`."""
    return {**payload, "context": {"message_id": wamid}}


def mark_read(wamid: str, typing: bool = True) -> dict:
    """The whole request body that marks `wamid` (and earlier messages) read, optionally
    showing the typing indicator until our reply (or 25 s)."""
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body

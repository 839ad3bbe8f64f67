"""Meta's rules for a send body (POST /{phone-number-id}/messages) and a template
submission, checked the way the Cloud API checks them. A broken rule raises GraphApiError:
code 100 with `error_data.details` naming the parameter, as in api/error_100.json; templates
that do not exist or do not match answer 132001 / 132000 as Meta does.

Limits are those of tests/fixtures/whatsapp/NOTES.md §7 (Meta's pages as of 2026)."""

import re
from dataclasses import dataclass

from lalisa.simulator.meta import GraphApiError, invalid

TEXT_BODY_MAX = 4096
CAPTION_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTON_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
SECTION_TITLE_MAX = 24
LIST_BODY_MAX = 4096
LOCATION_REQUEST_BODY_MAX = 1024
OPAQUE_DATA_MAX = 512
TEMPLATE_NAME_MAX = 512
TEMPLATE_BODY_MAX = 1024

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
MESSAGE_TYPES = ("text", "interactive", "template", "location", "reaction", *MEDIA_TYPES)
TOP_LEVEL_KEYS = {
    "messaging_product",
    "recipient_type",
    "to",
    "recipient",
    "type",
    "context",
    "biz_opaque_callback_data",
}
BSUID_RE = re.compile(r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$")
PHONE_STRIP_RE = re.compile(r"[\s+\-().]")
TEMPLATE_NAME_RE = re.compile(r"^[a-z0-9_]+$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
POSITIONAL_PARAM_RE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAMED_PARAM_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
TEMPLATE_CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")


@dataclass
class Send:
    """A send body that passed the checks."""

    to: str  # digits ("" when addressed by BSUID)
    to_input: str  # as the service wrote it, echoed in the response's contacts[].input
    recipient: str  # BSUID ("" when `to` was used)
    type: str
    body: dict

    @property
    def input(self) -> str:
        return self.to_input if self.to else self.recipient


def _param(path: str) -> str:
    return f"Param {path}"


def _text(obj, key: str, path: str, *, maximum: int, required: bool = True) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    full = f"{path}['{key}']"
    if value is None:
        if required:
            raise invalid(f"The parameter {full} is required.")
        return ""
    if not isinstance(value, str):
        raise invalid(f"{_param(full)} must be a string.")
    if required and not value.strip():
        raise invalid(f"{_param(full)} must be at least 1 character long.")
    if len(value) > maximum:
        raise invalid(f"{_param(full)} must be at most {maximum} characters long.")
    return value


def _obj(obj, key: str, path: str, *, required: bool = True) -> dict:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"The parameter {path}['{key}'] is required and must be an object.")
    return value


def _no_other_keys(obj: dict, allowed: set[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise invalid(f'Unexpected key "{key}" on param "{path}".')


def check_send(body) -> Send:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    if "messaging_product" not in body:
        raise invalid("The parameter messaging_product is required.")
    if body["messaging_product"] != "whatsapp":
        raise invalid("Param messaging_product must be 'whatsapp'.")
    if body.get("recipient_type", "individual") != "individual":
        raise invalid("Param recipient_type must be 'individual'.")

    to_input = body.get("to")
    recipient = body.get("recipient")
    to = ""
    # Meta: when both are given, the phone number wins.
    if to_input not in (None, ""):
        if not isinstance(to_input, str):
            raise invalid("Param to must be a string.")
        to = PHONE_STRIP_RE.sub("", to_input)
        if not to.isdigit() or not 5 <= len(to) <= 15:
            raise invalid(
                f"Param to must be a phone number in international format: {to_input!r}."
            )
        recipient = ""
    elif recipient not in (None, ""):
        if not isinstance(recipient, str) or not BSUID_RE.match(recipient):
            raise invalid(
                "Param recipient must be a business-scoped user id (e.g. ID.1410018717833190)."
            )
    else:
        raise invalid("The parameter to is required.")

    kind = body.get("type", "text")  # Meta's default
    if kind not in MESSAGE_TYPES:
        raise invalid(f"Param type must be one of {{{', '.join(MESSAGE_TYPES)}}}.")
    _no_other_keys(body, TOP_LEVEL_KEYS | {kind}, "message")
    obj = _obj(body, kind, "message")
    context = body.get("context")
    if context is not None:
        if not isinstance(context, dict) or not isinstance(context.get("message_id"), str):
            raise invalid("Param context['message_id'] must be a string.")
        if kind == "reaction":
            raise invalid("Param context is not supported for reaction messages.")
    opaque = body.get("biz_opaque_callback_data")
    if opaque is not None and (not isinstance(opaque, str) or len(opaque) > OPAQUE_DATA_MAX):
        raise invalid(
            f"Param biz_opaque_callback_data must be at most {OPAQUE_DATA_MAX} characters long."
        )

    CHECKS[kind](obj)
    return Send(to=to, to_input=to_input or "", recipient=recipient or "", type=kind, body=body)


def check_text(obj: dict) -> None:
    _no_other_keys(obj, {"body", "preview_url"}, "text")
    _text(obj, "body", "text", maximum=TEXT_BODY_MAX)
    if "preview_url" in obj and not isinstance(obj["preview_url"], bool):
        raise invalid("Param text['preview_url'] must be a boolean.")


def check_interactive(obj: dict) -> None:
    kind = obj.get("type")
    path = "interactive"
    if kind == "button":
        _no_other_keys(obj, {"type", "header", "body", "footer", "action"}, path)
        _header(obj, path, media_allowed=True)
        _text(_obj(obj, "body", path), "text", f"{path}['body']", maximum=BUTTON_BODY_MAX)
        _footer(obj, path)
        action = _obj(obj, "action", path)
        buttons = action.get("buttons")
        bpath = f"{path}['action']['buttons']"
        if not isinstance(buttons, list) or not buttons:
            raise invalid(f"The parameter {bpath} is required and must be a non-empty list.")
        if len(buttons) > BUTTONS_MAX:
            raise invalid(f"{_param(bpath)} must have at most {BUTTONS_MAX} items.")
        titles, ids = set(), set()
        for i, button in enumerate(buttons):
            if not isinstance(button, dict) or button.get("type") != "reply":
                raise invalid(f"{_param(f'{bpath}[{i}]')}['type'] must be 'reply'.")
            reply = _obj(button, "reply", f"{bpath}[{i}]")
            rpath = f"{bpath}[{i}]['reply']"
            title = _text(reply, "title", rpath, maximum=BUTTON_TITLE_MAX)
            button_id = _text(reply, "id", rpath, maximum=BUTTON_ID_MAX)
            if title in titles:
                raise invalid(f"{_param(rpath)}['title'] must be unique: {title!r} is repeated.")
            if button_id in ids:
                raise invalid(f"{_param(rpath)}['id'] must be unique: {button_id!r} is repeated.")
            titles.add(title)
            ids.add(button_id)
    elif kind == "list":
        _no_other_keys(obj, {"type", "header", "body", "footer", "action"}, path)
        _header(obj, path, media_allowed=False)
        _text(_obj(obj, "body", path), "text", f"{path}['body']", maximum=LIST_BODY_MAX)
        _footer(obj, path)
        action = _obj(obj, "action", path)
        apath = f"{path}['action']"
        _text(action, "button", apath, maximum=LIST_BUTTON_MAX)
        sections = action.get("sections")
        spath = f"{apath}['sections']"
        if not isinstance(sections, list) or not sections:
            raise invalid(f"The parameter {spath} is required and must be a non-empty list.")
        if len(sections) > LIST_SECTIONS_MAX:
            raise invalid(f"{_param(spath)} must have at most {LIST_SECTIONS_MAX} items.")
        rows_total, row_ids = 0, set()
        for i, section in enumerate(sections):
            if not isinstance(section, dict):
                raise invalid(f"{_param(f'{spath}[{i}]')} must be an object.")
            # A title is required once there is more than one section.
            _text(
                section,
                "title",
                f"{spath}[{i}]",
                maximum=SECTION_TITLE_MAX,
                required=len(sections) > 1,
            )
            rows = section.get("rows")
            rpath = f"{spath}[{i}]['rows']"
            if not isinstance(rows, list) or not rows:
                raise invalid(f"The parameter {rpath} is required and must be a non-empty list.")
            rows_total += len(rows)
            if rows_total > LIST_ROWS_MAX:
                raise invalid(
                    f"{_param(spath)} must have at most {LIST_ROWS_MAX} rows in all sections."
                )
            for j, row in enumerate(rows):
                path_j = f"{rpath}[{j}]"
                if not isinstance(row, dict):
                    raise invalid(f"{_param(path_j)} must be an object.")
                row_id = _text(row, "id", path_j, maximum=ROW_ID_MAX)
                _text(row, "title", path_j, maximum=ROW_TITLE_MAX)
                _text(row, "description", path_j, maximum=ROW_DESCRIPTION_MAX, required=False)
                if row_id in row_ids:
                    raise invalid(
                        f"{_param(path_j)}['id'] must be unique: {row_id!r} is repeated."
                    )
                row_ids.add(row_id)
    elif kind == "location_request_message":
        _no_other_keys(obj, {"type", "body", "action"}, path)
        _text(
            _obj(obj, "body", path), "text", f"{path}['body']", maximum=LOCATION_REQUEST_BODY_MAX
        )
        if _obj(obj, "action", path).get("name") != "send_location":
            raise invalid(f"{_param(path)}['action']['name'] must be 'send_location'.")
    else:
        raise invalid(
            f"{_param(path)}['type'] must be one of {{button, list, location_request_message}}"
            " (the emulator knows no others)."
        )


def _header(obj: dict, path: str, *, media_allowed: bool) -> None:
    header = obj.get("header")
    if header is None:
        return
    hpath = f"{path}['header']"
    kinds = ("text", "image", "video", "document") if media_allowed else ("text",)
    if not isinstance(header, dict) or header.get("type") not in kinds:
        raise invalid(f"{_param(hpath)}['type'] must be one of {{{', '.join(kinds)}}}.")
    if header["type"] == "text":
        _text(header, "text", hpath, maximum=HEADER_MAX)
    else:
        _media(_obj(header, header["type"], hpath), f"{hpath}['{header['type']}']", caption=False)


def _footer(obj: dict, path: str) -> None:
    if obj.get("footer") is not None:
        _text(_obj(obj, "footer", path), "text", f"{path}['footer']", maximum=FOOTER_MAX)


def _media(obj: dict, path: str, *, caption: bool) -> None:
    from lalisa.simulator.models import EmulatedMedia

    media_id, link = obj.get("id"), obj.get("link")
    if bool(media_id) == bool(link):
        raise invalid(f"{_param(path)} must have exactly one of 'id' or 'link'.")
    if media_id:
        if (
            not isinstance(media_id, str)
            or not EmulatedMedia.objects.filter(media_id=media_id).exists()
        ):
            raise invalid(f"{_param(path)}['id'] is not a valid media id: {media_id!r}.")
    elif not isinstance(link, str) or not link.startswith(("http://", "https://")):
        raise invalid(f"{_param(path)}['link'] must be an http(s) URL.")
    if caption:
        _text(obj, "caption", path, maximum=CAPTION_MAX, required=False)
    elif "caption" in obj:
        raise invalid(f'Unexpected key "caption" on param "{path}".')


def _media_check(kind: str):
    def check(obj: dict) -> None:
        allowed = {"id", "link"}
        if kind in ("image", "video", "document"):
            allowed.add("caption")
        if kind == "document":
            allowed.add("filename")
        _no_other_keys(obj, allowed, kind)
        _media(obj, kind, caption="caption" in allowed)

    return check


def check_location(obj: dict) -> None:
    _no_other_keys(obj, {"latitude", "longitude", "name", "address"}, "location")
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = obj.get(key)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise invalid(f"Param location['{key}'] must be a number.") from None
        if not -bound <= number <= bound:
            raise invalid(f"Param location['{key}'] is out of range.")


def check_reaction(obj: dict) -> None:
    _no_other_keys(obj, {"message_id", "emoji"}, "reaction")
    _text(obj, "message_id", "reaction", maximum=200)
    emoji = obj.get("emoji")
    if not isinstance(emoji, str):
        raise invalid("The parameter reaction['emoji'] is required (an empty string removes it).")


def check_template(obj: dict) -> None:
    """The shape only; `template_for_send` checks it against the approved template."""
    _no_other_keys(obj, {"name", "language", "components"}, "template")
    _text(obj, "name", "template", maximum=TEMPLATE_NAME_MAX)
    _text(_obj(obj, "language", "template"), "code", "template['language']", maximum=15)
    components = obj.get("components", [])
    if not isinstance(components, list):
        raise invalid("Param template['components'] must be a list.")
    for i, component in enumerate(components):
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise invalid(f"Param template['components'][{i}]['type'] is required.")
        params = component.get("parameters", [])
        if not isinstance(params, list):
            raise invalid(f"Param template['components'][{i}]['parameters'] must be a list.")
        for j, param in enumerate(params):
            ppath = f"template['components'][{i}]['parameters'][{j}]"
            if not isinstance(param, dict) or not isinstance(param.get("type"), str):
                raise invalid(f"Param {ppath}['type'] is required.")
            if param["type"] == "text":
                _text(param, "text", ppath, maximum=32768)


CHECKS = {
    "text": check_text,
    "interactive": check_interactive,
    "template": check_template,
    "location": check_location,
    "reaction": check_reaction,
    **{kind: _media_check(kind) for kind in MEDIA_TYPES},
}


# --- templates -------------------------------------------------------------------------


def template_params(components: list, parameter_format: str) -> list[str]:
    """The BODY's parameters: ["1", "2", …] or the names, in order of first use."""
    body = next((c for c in components if str(c.get("type")).upper() == "BODY"), {})
    pattern = NAMED_PARAM_RE if parameter_format == "named" else POSITIONAL_PARAM_RE
    seen: list[str] = []
    for name in pattern.findall(body.get("text", "")):
        if name not in seen:
            seen.append(name)
    return seen


def check_template_submission(body) -> dict:
    """A POST /{waba-id}/message_templates body → the fields to store."""
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("The parameter name is required.")
    if len(name) > TEMPLATE_NAME_MAX or not TEMPLATE_NAME_RE.match(name):
        raise invalid(
            "Param name must be at most 512 characters of lowercase letters, digits and "
            "underscores."
        )
    language = body.get("language")
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        raise invalid("Param language must be a language code such as 'id' or 'en_US'.")
    category = body.get("category")
    if category not in TEMPLATE_CATEGORIES:
        raise invalid(f"Param category must be one of {{{', '.join(TEMPLATE_CATEGORIES)}}}.")
    parameter_format = body.get("parameter_format", "positional")
    if parameter_format not in ("positional", "named"):
        raise invalid("Param parameter_format must be 'positional' or 'named'.")
    components = body.get("components")
    if not isinstance(components, list) or not components:
        raise invalid("The parameter components is required and must be a non-empty list.")
    kinds = [str(c.get("type", "")).upper() if isinstance(c, dict) else "" for c in components]
    if kinds.count("BODY") != 1:
        raise invalid("Param components must contain exactly one component of type BODY.")
    for i, (kind, component) in enumerate(zip(kinds, components, strict=True)):
        path = f"components[{i}]"
        if kind not in ("HEADER", "BODY", "FOOTER", "BUTTONS"):
            raise invalid(f"Param {path}['type'] must be one of HEADER, BODY, FOOTER, BUTTONS.")
        if kind == "BODY":
            _text(component, "text", path, maximum=TEMPLATE_BODY_MAX)
        elif kind == "FOOTER":
            _text(component, "text", path, maximum=FOOTER_MAX)
        elif kind == "HEADER" and component.get("format", "TEXT").upper() == "TEXT":
            _text(component, "text", path, maximum=HEADER_MAX)
        elif kind == "BUTTONS":
            buttons = component.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 10:
                raise invalid(f"Param {path}['buttons'] must have 1 to 10 items.")
            for j, button in enumerate(buttons):
                _text(button, "text", f"{path}['buttons'][{j}]", maximum=25)

    body_component = components[kinds.index("BODY")]
    params = template_params(components, parameter_format)
    text = body_component.get("text", "")
    pattern = NAMED_PARAM_RE if parameter_format == "named" else POSITIONAL_PARAM_RE
    if text.count("{{") != len(pattern.findall(text)):
        raise invalid(
            f"Param components[BODY]['text'] has a parameter that is not {parameter_format}."
        )
    example = body_component.get("example") or {}
    if parameter_format == "positional":
        if params and params != [str(n) for n in range(1, len(params) + 1)]:
            raise invalid(
                "Param components[BODY]['text'] must number its parameters {{1}}, {{2}}, … "
                "in order."
            )
        if params:
            rows = example.get("body_text")
            if not (isinstance(rows, list) and rows and isinstance(rows[0], list)) or len(
                rows[0]
            ) != len(params):
                raise invalid(
                    f"Param components[BODY]['example']['body_text'] must give one example "
                    f"row of {len(params)} values."
                )
    elif params:
        named = example.get("body_text_named_params")
        names = [p.get("param_name") for p in named or [] if isinstance(p, dict)]
        if sorted(names) != sorted(params):
            raise invalid(
                "Param components[BODY]['example']['body_text_named_params'] must give an "
                f"example for each of {', '.join(params)}."
            )
    return {
        "name": name,
        "language": language,
        "category": category,
        "components": components,
        "parameter_format": parameter_format,
    }


def check_template_send(obj: dict, template) -> None:
    """The send's body parameters against the approved template (Meta: 132000)."""
    expected = template_params(template.components, template.parameter_format)
    body = next((c for c in obj.get("components", []) if str(c.get("type")).lower() == "body"), {})
    given = body.get("parameters", [])
    if len(given) != len(expected):
        raise GraphApiError(
            132000,
            f"Template {template.name} expects {len(expected)} body parameters, "
            f"{len(given)} given.",
        )
    if template.parameter_format == "named":
        names = [p.get("parameter_name") for p in given]
        if sorted(n or "" for n in names) != sorted(expected):
            raise GraphApiError(
                132000,
                f"Template {template.name} expects the named parameters "
                f"{', '.join(expected)}; given {', '.join(map(str, names))}.",
            )

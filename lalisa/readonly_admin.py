"""Admin pages and inlines that only show: rows written by the service or shipped as data;
and what such pages may show of the citizens a row names (lalisa.access decides)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.admin import SimpleListFilter
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import smart_split, unescape_string_literal

from lalisa import access, redact
from lalisa.complaints.models import Complaint, Reporter


class ReadOnly:
    """Mix into a ModelAdmin or an inline: no adding, changing or deleting by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def pretty_json(raw) -> str:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return raw
    return json.dumps(raw, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Disclosure:
    """What one user may see of the citizens one row names: those hidden from them are
    replaced by their label and their numbers masked; every text is redacted besides, so no
    full number, id or wamid is ever shown."""

    hidden: tuple[tuple[Reporter, str], ...] = ()

    def text(self, value) -> str:
        text = "" if value is None else str(value)
        for reporter, label in self.hidden:
            text = redact.hide_person(
                text,
                names=(reporter.name, reporter.profile_name),
                ids=(reporter.phone, reporter.wa_id, reporter.user_id),
                label=label,
            )
        return redact.redact(text)

    def label(self, reporter: Reporter) -> str | None:
        """The label a hidden citizen is shown by; None when the user may see them."""
        return next((label for r, label in self.hidden if r.pk == reporter.pk), None)


def disclosure(user, *named: tuple[Reporter | None, Complaint | None]) -> Disclosure:
    """For the (citizen, complaint the row is about) pairs a row names."""
    hidden, seen = [], set()
    for reporter, complaint in named:
        if reporter is None or reporter.pk in seen:
            continue
        seen.add(reporter.pk)
        if not access.can_see_citizen(user, reporter, complaint):
            hidden.append((reporter, access.citizen_label(user, reporter, complaint)))
    return Disclosure(tuple(hidden))


def address_of(phone: str, user_id: str, *, masked: bool) -> str:
    """The WhatsApp address a message went to (`to_phone` holds digits, as wa_id)."""
    if phone:
        return redact.mask_phone(f"+{phone}") if masked else f"+{phone}"
    if user_id:
        return redact.mask_user_id(user_id) if masked else user_id
    return "–"


def for_viewer(method: Callable) -> Callable:
    """Marks a ModelAdmin method that takes (obj, user): ViewerAware binds it to the user
    who looks, since what a column may show depends on who that is."""
    method.for_viewer = True
    return method


@dataclass(frozen=True)
class BoundToViewer:
    """A `for_viewer` method bound to one user, as a column or field the admin calls with the
    row. Equal for the same method and user: the change form matches fields to read-only
    fields by equality."""

    method: Callable
    user: object

    def __call__(self, obj):
        return self.method(obj, self.user)

    def __getattr__(self, name):
        # The admin reads the column's label, ordering and flags from the method.
        if name in ("method", "user"):
            raise AttributeError(name)
        return getattr(self.method, name)


class ViewerAware:
    """Binds the `for_viewer` methods named in list_display, fields and readonly_fields to
    the request's user."""

    def _bind(self, names, request):
        bound = []
        for name in names:
            method = getattr(self, name, None) if isinstance(name, str) else None
            if getattr(method, "for_viewer", False):
                bound.append(BoundToViewer(method, request.user))
            else:
                bound.append(name)
        return bound

    def get_list_display(self, request):
        return self._bind(super().get_list_display(request), request)

    def get_readonly_fields(self, request, obj=None):
        return self._bind(super().get_readonly_fields(request, obj), request)

    def get_fields(self, request, obj=None):
        return self._bind(super().get_fields(request, obj), request)


def matching(queryset: QuerySet, fields, term: str) -> QuerySet:
    """Rows where every word of the term is in one of the fields (as the admin searches;
    `=field` matches the whole value)."""
    words = Q()
    for word in smart_split(term):
        if word[:1] in ('"', "'") and word[-1:] == word[:1] and len(word) > 1:
            word = unescape_string_literal(word)
        lookups = (
            {f"{f[1:]}__iexact": word} if f.startswith("=") else {f"{f}__icontains": word}
            for f in fields
        )
        words &= reduce(or_, (Q(**lookup) for lookup in lookups))
    return queryset.filter(words)


class OfferedFiltersOnly:
    """The page's address may filter only by what its filters offer: Django lets it filter
    by any field of the model, and `?to_phone__startswith=62813` would find a citizen digit
    by digit."""

    def lookup_allowed(self, lookup, value, request=None):
        offered = {self.date_hierarchy} - {None}
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                offered.add(item.parameter_name)
            else:
                offered.add(item[0] if isinstance(item, (tuple, list)) else item)
        if lookup.split(LOOKUP_SEP)[0] not in offered:
            return False
        return super().lookup_allowed(lookup, value, request)


class SearchWithoutCitizens(OfferedFiltersOnly):
    """A search that cannot find a citizen. `search_fields` name no one and are searched in
    every row, but not with a term that looks like a number, an id or a wamid;
    `named_search_fields` (numbers, ids, bodies) are searched only in the rows
    `rows_without_citizens` keeps. A protected number finds nothing."""

    named_search_fields: tuple[str, ...] = ()

    def rows_without_citizens(self, queryset: QuerySet) -> QuerySet:
        return queryset.none()

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        personal = redact.redact(search_term) != search_term
        found = queryset.none()
        if not personal:
            found = matching(queryset, self.get_search_fields(request), search_term)
        if self.named_search_fields:
            found |= matching(
                self.rows_without_citizens(queryset),
                (*self.get_search_fields(request), *self.named_search_fields),
                search_term,
            )
        return found, False

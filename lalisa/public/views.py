"""The public pages, no login: the month's figures (/publik/) and the status lookup by
ticket code (/publik/cek/). Nothing here names a citizen or a member of staff."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from lalisa.monthly.numbers import decimal, duration, integer, percent
from lalisa.proxies import client_ip
from lalisa.public import lookup, months
from lalisa.service.models import ServiceProfile
from lalisa.timefmt import format_date, format_wita

FORMAT_HELP = (
    "Kode tiket berbentuk LL-TTBB-NNNN, misalnya LL-2611-0042; kode cek terdiri dari 4 huruf "
    "dan angka, misalnya K7QF."
)
# Asked without its check part, any code gets this, known or not: nothing is looked up.
NO_CHECK = (
    "Isi juga kode cek aduan {code}. Kode cek dikirim bersama nomor tiket di pesan "
    "WhatsApp saat aduan Anda tercatat, atau diberikan petugas bila Anda melapor langsung."
)
# An unknown code, a wrong check part and a rahasia complaint all get this.
NOT_FOUND = (
    "Aduan dengan kode tiket {code} dan kode cek itu tidak ditemukan. Periksa kembali "
    "keduanya pada pesan WhatsApp yang Anda terima saat aduan tercatat."
)
TOO_MANY = "Terlalu banyak pencarian dari alamat Anda. Silakan coba lagi {minutes} menit lagi."


def _card(month: months.Month) -> dict:
    s = month.figures
    finish = s.durations["finish"]
    share = month.handled_share
    return {
        "label": month.label,
        "range": f"1–{month.last.day} {month.label}" if not month.whole else month.label,
        "whole": month.whole,
        "received": integer(s.received),
        "handled": integer(s.handled),
        "handled_share": percent(share, 0) if share is not None else "",
        "finish": duration(finish.median_minutes) if finish.median_minutes is not None else "",
        "finish_count": integer(finish.count),
        "rating": decimal(s.ratings.average, 1) if s.ratings.average is not None else "",
        "satisfied": percent(s.ratings.satisfied_share, 0)
        if s.ratings.satisfied_share is not None
        else "",
        "ratings": integer(s.ratings.count),
    }


def _base_context() -> dict:
    return {"profile": ServiceProfile.get(), "format_help": FORMAT_HELP}


@login_not_required
def public_page(request):
    now, before = months.months()
    context = {
        **_base_context(),
        "now": _card(now),
        "before": _card(before),
        "categories": months.category_lines(now, before),
        "kecamatan": months.kecamatan_lines(now, before),
        "updated": format_wita(timezone.now()),
        "today": format_date(now.last),
    }
    return render(request, "public/page.html", context)


@login_not_required
@never_cache
def status_lookup(request):
    """?kode=…&cek=…: the complaint's status and steps, or why there is none. The check
    part may also come with the code (?kode=LL-2611-0042-K7QF)."""
    asked = request.GET.get("kode", "").strip()[:40]
    asked_check = request.GET.get("cek", "").strip()[:20]
    context = {**_base_context(), "asked": asked, "asked_check": asked_check}
    status = 200
    if asked or asked_check:
        if not lookup.take_turn(client_ip(request)):
            context["error"] = TOO_MANY.format(minutes=lookup.WINDOW_SECONDS // 60)
            status = 429
        else:
            wanted = lookup.read(asked, asked_check)
            if wanted is None:
                context["error"] = f"«{asked}» bukan kode tiket. {FORMAT_HELP}"
            elif not wanted.check:
                context["error"] = NO_CHECK.format(code=wanted.code)
            else:
                context["found"] = lookup.find(wanted.code, wanted.check)
                if context["found"] is None:
                    context["error"] = NOT_FOUND.format(code=wanted.code)
    response = render(request, "public/lookup.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(lookup.WINDOW_SECONDS)
    return response

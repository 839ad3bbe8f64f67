"""No request whose address, query or form carries a NUL character reaches a view.

No one types one, PostgreSQL refuses to compare or store text holding one (the query
fails), and it hides where it is. Refused at the door with 400: JSON under /api/v1/ (the
API's JSON bodies are checked by its own parser), a line of text elsewhere. WhatsApp
messages holding NUL are kept, with U+FFFD in its place (lalisa.whatsapp).
"""

from django.http import HttpResponse, JsonResponse

MESSAGE = "Permintaan ditolak: alamat, parameter atau isian memuat karakter NUL."
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(query) -> bool:
    return any("\x00" in k or any("\x00" in v for v in query.getlist(k)) for k in query)


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = "\x00" in request.path_info or _has_nul(request.GET)
        if not found and request.method == "POST" and request.content_type in FORMS:
            found = _has_nul(request.POST)
        if not found:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"error": MESSAGE}, status=400)
        return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")

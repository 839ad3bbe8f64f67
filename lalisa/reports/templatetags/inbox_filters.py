"""The inbox form's part for the dashboard's filters (lalisa.reports.links)."""

from django import template

from lalisa.reports import links

register = template.Library()


@register.inclusion_tag("reports/_inbox_filters.html", takes_context=True)
def dashboard_filters(context, chosen):
    """Each dashboard filter in force: kept on the next search, with a link to drop it."""
    request = context.get("request")
    active = []
    for name, text in links.describe(chosen):
        params = request.GET.copy() if request is not None else {}
        for key in (name, "page"):
            params.pop(key, None)
        query = params.urlencode() if params else ""
        active.append(
            {
                "name": name,
                "value": chosen[name],
                "text": text,
                "drop": f"?{query}" if query else "?",
            }
        )
    return {"active": active}

"""Log lines without personal data or secrets, whoever writes them: a filter on every
handler (settings.LOGGING) and gunicorn's logger class for `lalisa serve`, both masking
through lalisa.redact (phone numbers, BSUIDs, wamids, `hub.verify_token` and other secrets
in query strings). Imports no Django: gunicorn loads it before the app."""

import logging

from gunicorn import glogging

from lalisa.redact import redact

_EXCEPTIONS = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Masks the record itself (message, traceback, stack), so every handler after this
    one sees it masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: logging reports it; mask what can be masked
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # A traceback quotes values (a key PostgreSQL refused, a number not understood).
            record.exc_text = _EXCEPTIONS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def add_filter(handler: logging.Handler) -> None:
    if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
        handler.addFilter(PersonalDataFilter())


class RedactedAtoms(glogging.SafeAtoms):
    """The access log's atoms, each masked as the format reads it: only the few it names
    cost anything, whatever the format."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return redact(value) if isinstance(value, str) else value


class GunicornLogger(glogging.Logger):
    """`--logger-class` of `lalisa serve`: the access log's request line, path, query
    string, referrer (a search page's `?q=`) and headers masked, and the filter on every
    handler of its access and error logs, as on the project's own."""

    atoms_wrapper_class = RedactedAtoms

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                add_filter(handler)

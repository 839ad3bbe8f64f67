"""The bot's periodic work."""

from datetime import timedelta

from lalisa.bot import conversation
from lalisa.worker.scheduler import periodic


@periodic("bot.set_aside_idle", timedelta(minutes=1))
def set_aside_idle() -> int:
    """Drafts idle for 30 minutes are put aside; their citizens are told how to resume."""
    return conversation.set_aside_idle()

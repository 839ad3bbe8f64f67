"""Tables the worker empties in its loop, beside the task queue.

Some work arrives too often to pay for a task row each (webhook deliveries): its own
table is the queue. A drain is `func() -> int` (how many items it took); the worker
calls every drain each round and does not sleep while any took something.
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

registry: dict[str, Callable[[], int]] = {}
# Called after each task with the seconds it took: a drain whose producer is busy (Meta
# posting a burst) may pause the worker so the web keeps the CPU and the write lock.
yielders: dict[str, Callable[[float], None]] = {}


def register(
    name: str, func: Callable[[], int], *, yield_to: Callable[[float], None] | None = None
) -> None:
    registry[name] = func
    if yield_to is not None:
        yielders[name] = yield_to


def after_task(spent: float) -> None:
    for name, func in list(yielders.items()):
        try:
            func(spent)
        except Exception:
            log.exception("yielding for %s failed", name)


def run_all() -> int:
    """Run every drain once; return how many items they took in all."""
    from lalisa.worker.scheduler import autodiscover

    autodiscover()  # drains register in the apps' tasks modules
    taken = 0
    for name, func in list(registry.items()):
        try:
            taken += func()
        except Exception:
            # One failing drain must not stop the worker; it is tried again next round.
            log.exception("drain %s failed", name)
    return taken

"""A guard that pauses Python's cyclic garbage collector while the engine builds many small,
acyclic objects (records, pairs); collections triggered by those allocations would otherwise
walk every object of the calling application, again and again."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, then restore its previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

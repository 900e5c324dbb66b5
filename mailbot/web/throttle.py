"""Failed logins slow the next attempt down, more after each one, across restarts.

The decision is pure: from how many failures in a row a key has (an address with a
name, or an address alone) and when the last was, when the next attempt may come.
The counts live in the store (login_failures), so a restart forgets nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_WAIT = timedelta(seconds=30)  # after the failure that uses up the free ones
LONGEST_WAIT = timedelta(hours=1)  # the wait doubles with each failure up to this
FORGET_AFTER = timedelta(hours=24)  # a key with no failure for this long starts again
FREE_BY_NAME = 4  # four mistypings of one name from one address cost nothing
FREE_BY_ADDRESS = 19  # many names tried from one address: slowed down too


def keys(address: str, name: str) -> dict[str, int]:
    """The keys one attempt counts against, each with its free failures."""
    return {f"name:{address}|{name}": FREE_BY_NAME, f"address:{address}": FREE_BY_ADDRESS}


def wait_after(failures: int, free: int) -> timedelta:
    """0 up to `free` failures; then 30 s, 1 min, 2 min... up to an hour."""
    if failures <= free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free - 1, 16), LONGEST_WAIT)


def open_at(counted: dict[str, tuple[int, datetime]], free: dict[str, int],
            now: datetime) -> datetime | None:
    """When the next attempt may come, if that is later than now (else None)."""
    moments = [last + wait_after(failures, free[key])
               for key, (failures, last) in counted.items()]
    latest = max(moments, default=now)
    return latest if latest > now else None

"""Pacing: when a client may send its next request, and whether it may retry one more.

Every request the package sends passes its client's pacer first. What it paces by:

- the **shared 429 pause**: a 429 holds back every request of the client (its views,
  walks and bulk runs), for the wait the server asked, or until the limit's window
  starts again, so that N workers do not each learn of the limit on their own;
- **token buckets**: the client's `rate_limit` and a bulk run's own, spacing the starts
  of requests at least `1 / rate` seconds apart;
- the **adaptive rate**: off until a 429, then lowered once per throttling event to 0.7
  of the rate measured, and brought back along a cubic curve (botocore's adaptive mode,
  CUBIC as TCP); a limit counted per window of the clock (Vapi's: the UTC minute) is
  waited out to the window's end instead;
- the **retry budget** (`RetryBudget`): retries spend tokens, successes earn them back.

The state behind them lives in this process by default, and in Redis with
`VapiPhoneClient(pacing=RedisPacing(url))`, for a fleet of workers that share one limit.

The retry engine meets pacing through a `Pacer` (its `Ticket` for each request let
through, its `Decision` on a 429) over a `Backend`: `LocalPacing` or Redis's. `Sleep` is
the type of the waits it takes (the retry engine's and the client's `sleep=`).
"""

from ._backend import Backend
from ._budget import RetryBudget
from ._gate import Sleep
from ._local import LocalPacing
from ._pacer import Pacer, Ticket
from ._redis import RedisPacing
from ._state import Decision

__all__ = [
    "Backend",
    "Decision",
    "LocalPacing",
    "Pacer",
    "RedisPacing",
    "RetryBudget",
    "Sleep",
    "Ticket",
]

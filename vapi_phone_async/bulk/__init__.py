"""Bulk operations: update, delete and import many numbers with per-item outcomes.

Each function takes an iterable or async iterable (consumed lazily: a generator of
100,000 items is never listed) and returns a `BulkRun`:

    async for outcome in client.bulk_update(pairs, concurrency=16):   # completion order
        ...
    result = await client.bulk_import(bodies)                         # input order
    print(result.summary.created, result.summary.skipped, len(result.failures))

Every item taken gets exactly one `BulkOutcome`: `succeeded`, `failed`, `skipped`, or
`unknown` (a create that may have happened). One item's failure never stops the others
unless `fail_fast=True`. Every request goes through the client's own calls, so its retry
engine, 429 pause, adaptive rate and retry budget apply; `rate_limit` adds a token bucket
for the run. Cancellation is described in `BulkRun`: nothing taken is forgotten, no
connection stays acquired.

`create_body(row)` turns a row in wire form (a CSV row, an exported number) into a
checked create body, as `import` and `sync` read their files.

One apply at a time per account: `SyncPlan.apply` and `bulk_import` hold the account's
apply lock (`client.apply_lock()`, made by the client's `ApplyLocks`: `FileLocks` by
default, one machine; `RedisLocks` when the client paces through Redis, a fleet), and an
apply refuses a plan the account has moved away from.
"""

from ..errors import (
    ApplyLockedError,
    ApplyLockLostError,
    ApplyLockUnavailableError,
    BulkCancelledError,
    StalePlanError,
)
from ._basis import Listing, ListingFingerprint
from ._calls import PhoneNumberCalls
from ._diff import Change, Comparison, compare, diff, is_purchase
from ._filelock import FileLocks, default_lock_dir
from ._import import ExistingNumbers, Lookup
from ._lock import Account, ApplyLock, ApplyLocks, ExpiringApplyLock, hold
from ._operations import UpdateItem, bulk_delete, bulk_import, bulk_update
from ._outcomes import (
    Action,
    BulkOutcome,
    BulkResult,
    BulkSummary,
    OutcomeKind,
    Progress,
    summarize,
)
from ._plan import plan_sync
from ._redislock import RedisLocks
from ._rows import create_body
from ._run import BulkRun
from ._sync import (
    InvalidRow,
    PlannedAction,
    PlannedCreate,
    PlannedDelete,
    PlannedUpdate,
    PlanWarning,
    SecretNotCopied,
    SyncOutcome,
    SyncPlan,
    SyncResult,
    Unchanged,
)

__all__ = [
    "Account",
    "Action",
    "ApplyLock",
    "ApplyLockLostError",
    "ApplyLockUnavailableError",
    "ApplyLockedError",
    "ApplyLocks",
    "BulkCancelledError",
    "BulkOutcome",
    "BulkResult",
    "BulkRun",
    "BulkSummary",
    "Change",
    "Comparison",
    "ExistingNumbers",
    "ExpiringApplyLock",
    "FileLocks",
    "InvalidRow",
    "Listing",
    "ListingFingerprint",
    "Lookup",
    "OutcomeKind",
    "PhoneNumberCalls",
    "PlanWarning",
    "PlannedAction",
    "PlannedCreate",
    "PlannedDelete",
    "PlannedUpdate",
    "Progress",
    "RedisLocks",
    "SecretNotCopied",
    "StalePlanError",
    "SyncOutcome",
    "SyncPlan",
    "SyncResult",
    "Unchanged",
    "UpdateItem",
    "bulk_delete",
    "bulk_import",
    "bulk_update",
    "compare",
    "create_body",
    "default_lock_dir",
    "diff",
    "hold",
    "is_purchase",
    "plan_sync",
    "summarize",
]

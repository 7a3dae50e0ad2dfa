"""Walks while numbers are created and deleted: the guarantee of a consistent walk.

With `consistent=True`, every number that exists for the whole walk is yielded exactly
once and no id twice, whatever is created or deleted meanwhile; numbers created during
the walk are left out. The same walks with `consistent=False` (plain offset paging) skip
or repeat numbers, which shows that the churn here is the kind the guarantee is about.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from vapi_phone_async import PhoneNumberPage, VapiPhoneClient
from vapi_phone_async.models import CreateVapiPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.transports import Request

from .helpers import MakeClient, Wiretap

# Thousands of walks under churn: slow.
pytestmark = pytest.mark.slow


@dataclass
class Churn:
    """Creates and deletes numbers: new ones, ones it created before, and `doomed` ones.

    `doomed` are numbers that existed before the walk, chosen up front and deleted in a
    random order, so that deletions land both behind and ahead of the walk's position.
    """

    client: VapiPhoneClient
    doomed: list[str]
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    async def step(self) -> None:
        for _ in range(2):
            number = await self.client.create(
                CreateVapiPhoneNumber(number_desired_area_code="415"), allow_purchase=True
            )
            self.created.append(number.id)
        if len(self.created) > 2:  # one created during the walk, not the newest
            await self._delete(self.created.pop(0))
        for _ in range(2):
            if self.doomed:
                await self._delete(self.doomed.pop())

    async def _delete(self, number_id: str) -> None:
        await self.client.delete(number_id)
        self.deleted.append(number_id)


@dataclass
class Setting:
    server: FakeVapiServer
    client: VapiPhoneClient
    churn: Churn
    lasting: set[str]  # the numbers that exist for the whole walk


@asynccontextmanager
async def churning(
    make_client: MakeClient,
    count: int,
    *,
    cursors: bool = True,
    tie_rate: float = 0.3,
    doomed: int = 200,
) -> AsyncIterator[Setting]:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=cursors) as server:
        seeded = [number["id"] for number in server.seed(count, tie_rate=tie_rate)]
        doomed_ids = random.Random(5).sample(seeded, doomed)
        async with make_client(base_url=server.url) as client:
            churn = Churn(client, list(doomed_ids))
            yield Setting(server, client, churn, set(seeded) - set(doomed_ids))


def anomalies(walked: list[str], lasting: set[str]) -> tuple[list[str], set[str]]:
    """The ids yielded more than once, and the lasting numbers never yielded."""
    repeated = [number_id for number_id, times in Counter(walked).items() if times > 1]
    return repeated, lasting - set(walked)


def assert_in_order(pages: list[PhoneNumberPage], order: str) -> None:
    stamps = [number.created_at for page in pages for number in page.results]
    assert stamps == sorted(stamps, reverse=order == "DESC")  # type: ignore[type-var]


async def walk_with_churn_between_pages(
    setting: Setting, *, consistent: bool, prefetch: int, order: str
) -> list[PhoneNumberPage]:
    pager = setting.client.paginate(
        page_size=50, sort_order=order, prefetch=prefetch, consistent=consistent
    )
    pages = []
    async for page in pager.pages():
        pages.append(page)
        await setting.churn.step()
    return pages


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize("cursors", [True, False], ids=["cursors", "no-cursors"])
@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_consistent_walk_yields_each_lasting_number_once_despite_churn(
    make_client: MakeClient, prefetch: int, cursors: bool, order: str
) -> None:
    async with churning(make_client, 5000, cursors=cursors) as setting:
        pages = await walk_with_churn_between_pages(
            setting, consistent=True, prefetch=prefetch, order=order
        )

        walked = [number.id for page in pages for number in page.results]
        assert anomalies(walked, setting.lasting) == ([], set())
        assert not set(walked) & set(setting.churn.created)  # created during the walk
        assert_in_order(pages, order)
        assert len(setting.churn.deleted) >= 250  # the churn was real: ~100 pages of it


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize("cursors", [True, False], ids=["cursors", "no-cursors"])
@pytest.mark.parametrize("prefetch", [1, 4])
async def test_the_same_churn_makes_a_plain_offset_walk_skip_or_repeat(
    make_client: MakeClient, prefetch: int, cursors: bool, order: str
) -> None:
    async with churning(make_client, 5000, cursors=cursors) as setting:
        pages = await walk_with_churn_between_pages(
            setting, consistent=False, prefetch=prefetch, order=order
        )

        walked = [number.id for page in pages for number in page.results]
        repeated, missed = anomalies(walked, setting.lasting)
        assert repeated or missed


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize("prefetch", [1, 3])
async def test_numbers_created_during_a_walk_shift_none_of_its_pages(
    make_client: MakeClient, prefetch: int, order: str
) -> None:
    async with churning(make_client, 100, cursors=False, doomed=0) as setting:
        snapshot = sorted(setting.server.numbers.values(), key=lambda n: (n["createdAt"], n["id"]))
        expected = [n["id"] for n in (snapshot[::-1] if order == "DESC" else snapshot)]
        pager = setting.client.paginate(page_size=10, prefetch=prefetch, sort_order=order)
        walked = []
        async for page in pager.pages():
            walked += [number.id for number in page.results]
            await setting.churn.step()  # two new numbers; one made earlier deleted

        assert walked == expected
        pages = [r.query["page"] for r in setting.server.requests("GET", "/v2/phone-number")]
        assert pages[-10:] == [str(page) for page in range(1, 11)]  # no page asked twice
        assert len(pages) == 10 + (order == "ASC")  # and for ASC, the probe


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_consistent_walk_holds_while_another_task_churns_continuously(
    make_client: MakeClient,
    prefetch: int,
) -> None:
    async with churning(make_client, 5000, cursors=False, doomed=400) as setting:
        walking = True

        async def churn_until_the_walk_ends() -> None:
            while walking:
                await setting.churn.step()

        churner = asyncio.create_task(churn_until_the_walk_ends())
        try:
            pager = setting.client.paginate(page_size=50, prefetch=prefetch)
            walked = [number.id async for number in pager]
        finally:
            walking = False
            await churner

        assert anomalies(walked, setting.lasting) == ([], set())
        assert setting.churn.deleted and not set(walked) & set(setting.churn.created)


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize("prefetch", [1, 3])
async def test_ties_wider_than_a_page_do_not_stall_a_walk_that_changes_on_every_request(
    make_client: MakeClient, prefetch: int, order: str
) -> None:
    # Most numbers share their createdAt millisecond with dozens of others, pages hold 5,
    # and before every page request a number appears at one of those instants (a creation
    # committed late): a walk that went on from its position with `createdAtLe` alone
    # would re-read the same tied numbers for ever.
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False) as server:
        seeded = server.seed(300, tie_rate=0.97)
        instants = sorted({number["createdAt"] for number in seeded})
        rng = random.Random(7)
        requests = 0

        async def a_late_creation(request: Request) -> None:
            nonlocal requests
            requests += 1
            # 60 pages' worth of numbers: ten requests a page is already far gone.
            assert requests <= 600, "the walk makes no progress"
            server.insert({"provider": "vapi", "createdAt": rng.choice(instants)})

        wiretap = Wiretap(server.url, before=a_late_creation)
        async with make_client(transport=wiretap) as client:
            pager = client.paginate(page_size=5, prefetch=prefetch, sort_order=order)
            walked = [number.id async for number in pager]

        assert anomalies(walked, {number["id"] for number in seeded}) == ([], set())

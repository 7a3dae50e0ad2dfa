"""The docs' samples marked `typed` (the sync guide's worker) pass `mypy --strict` as they
stand, as a user's own module would: a worker needs no generic type the guides do not
show.

mypy runs through its API (`mypy.api.run`) with the project's settings (pyproject's
`[tool.mypy]`: strict, Python 3.10). mypy is in the `typecheck` dependency group, not in
`test`: `nox -s typecheck`, which CI runs (`nox -t ci`), runs this file with
`VAPI_REQUIRE_MYPY=1`, which makes it fail rather than skip when mypy is missing. The
`tests` sessions, which install the `test` group alone, skip it, saying why.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .test_docs import DOCS, Sample, collect_samples, docs_samples

MypyRun = Callable[[list[str]], tuple[str, str, int]]


@pytest.fixture(scope="module")
def mypy_run() -> MypyRun:
    try:
        from mypy import api
    except ImportError:
        if os.environ.get("VAPI_REQUIRE_MYPY") == "1":
            pytest.fail("mypy is not installed, and VAPI_REQUIRE_MYPY=1 says it must run")
        pytest.skip("mypy is not installed (the typecheck group): nox -s typecheck runs this")
    return api.run


def typecheck(sample: Sample, directory: Path, run: MypyRun) -> tuple[int, str]:
    """mypy --strict on the sample as a module of its own: (exit status, report). Its
    lines are padded down to the sample's fence, so the report's line numbers are the
    page's."""
    page, line = sample.source.rsplit(":", 1)
    module = directory / (Path(page).stem.replace("-", "_") + "_sample.py")
    module.write_text("\n" * int(line) + sample.code, encoding="utf-8")
    stdout, stderr, status = run(["--strict", str(module)])
    return status, stdout + stderr


def _typed() -> list[Any]:
    samples = [s for s in docs_samples() if "typed" in s.options] if DOCS.is_dir() else []
    if not samples:
        return [pytest.param(None, id="no-typed-samples")]  # a failure, not a skip
    return [pytest.param(sample, id=sample.source) for sample in samples]


@pytest.mark.parametrize("sample", _typed())
def test_a_typed_sample_passes_mypy_strict(
    sample: Sample | None, mypy_run: MypyRun, tmp_path: Path
) -> None:
    assert sample is not None, f"no sample of {DOCS} is marked typed"
    assert sample.kind == "runnable" and "client" not in sample.options, sample.source
    status, report = typecheck(sample, tmp_path, mypy_run)
    assert status == 0, f"{sample.source}: mypy --strict failed\n{report}"


def test_the_sync_guides_worker_is_typed() -> None:
    typed = [s.source for s in docs_samples() if "typed" in s.options]
    assert any(source.startswith("sync.md:") for source in typed), typed


def test_a_sample_with_a_type_error_fails(mypy_run: MypyRun, tmp_path: Path) -> None:
    page = textwrap.dedent(
        """\
        <!-- runnable typed -->
        ```python
        from vapi_phone_async import SyncResult


        def summary(result: SyncResult) -> int:
            return result.summary  # a BulkSummary, not an int
        ```
        """
    )
    (sample,) = collect_samples(page, "broken.md")
    status, report = typecheck(sample, tmp_path, mypy_run)
    assert status == 1 and "broken_sample.py:7: error: Incompatible return value" in report

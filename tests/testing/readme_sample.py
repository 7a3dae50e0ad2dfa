"""The README's testing sample, as a test module of a user's project: the one ```python
fence of README.md marked `<!-- runnable-pytest -->`.

tests/testing/test_pytest_plugin.py runs it with no pytest settings; nox's `build` session
writes it into an empty folder (`python tests/testing/readme_sample.py OUT.py`) and runs it
against the installed wheel. Not collected: its name does not start with `test_`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

_SAMPLE = re.compile(r"^<!-- runnable-pytest -->\n+```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def extract(readme: str) -> str:
    """The code of the README's one `runnable-pytest` sample."""
    found = _SAMPLE.findall(readme)
    if len(found) != 1:
        raise ValueError(f"README.md has {len(found)} runnable-pytest samples, not one")
    return str(found[0])


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(extract(README.read_text(encoding="utf-8")), "utf-8")

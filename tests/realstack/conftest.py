"""The demo's stack, shared by the modules that run the short demo on a whole stack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.realstack.stack_env import DemoStack


# Package scope: stopped once the real-stack tests are done, not idling beside the rest of the suite.
@pytest.fixture(scope="package")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    with ExitStack() as exits:
        yield DemoStack(tmp_path_factory.mktemp("demo") / "var", exits)

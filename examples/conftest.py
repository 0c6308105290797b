"""The examples' tests replay only: the network is blocked for them (pytest-recording)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "examples" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.block_network)

"""In CI, the real clients must be there: a missing one would turn the reader and
browser tests into skips and let a regression through."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI promises these programs")
@pytest.mark.parametrize("program", ["newsboat", "chromium", "chromedriver"])
def test_real_clients_are_installed_in_ci(program: str) -> None:
    assert shutil.which(program), f"{program} missing: .ci/run installs it with apt-get"

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared():
    """The ../shared folder beside the checkout (bench data, models), or skip."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found: the shared data sits beside the checkout in CI")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _model_cache_in_a_temporary_folder(tmp_path_factory):
    """The CLI caches parsed models; tests (and the processes they start) keep theirs in
    a folder of their own, never the user's cache."""
    os.environ["MARP_CACHE_DIR"] = str(tmp_path_factory.mktemp("marp-cache"))
    yield

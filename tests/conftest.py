"""Shared fixtures: the sample index (built once per session) and the Flask app.

``sample_index`` is the bundled samples/ corpus indexed once per test session;
any test may read it, none may write to it (ingest tests use their own index).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests explore new inputs on every local run (that is how they find
# bugs), but CI replays a fixed set, so a landing never hangs on a fresh find.
settings.register_profile("ci", derandomize=True, database=None)
# The property tests' long runs (thousands of examples each) are for bug hunts, not
# for every `make test`: HYPOTHESIS_PROFILE=thorough runs them (tests scale by it).
settings.register_profile("thorough", max_examples=2000)
if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":
    settings.load_profile("thorough")
elif os.environ.get("CI") == "true":
    settings.load_profile("ci")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ADMIN_TOKEN = "secret-token"


@pytest.fixture(scope="module", params=["fast", "stock"])
def codec(request: pytest.FixtureRequest):
    """Runs a module's tests twice: with the codec's fast readers and writer, and with
    stock Whoosh's paths forced (``PRESSROOM_CODEC=stock``, see indexer/codec/).
    Module-scoped, so a module's own fixtures that depend on it are built per path."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESSROOM_CODEC", request.param)
        yield request.param


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.store import Store

    root = tmp_path_factory.mktemp("sample-index")
    summary = Store(root).index_paths([SAMPLES])
    assert summary.added >= 60, summary.report()
    return root


@pytest.fixture(scope="session")
def app(sample_index: Path):
    from webui import create_app

    # No editors' report: it would write reports.sqlite3 into the shared sample index
    # (tests/search/test_zero_results.py records into copies).
    return create_app({"TESTING": True, "INDEX": str(sample_index), "ADMIN_TOKEN": ADMIN_TOKEN,
                       "ZERO_RESULTS_LOG": False})


@pytest.fixture(scope="session")
def entity_index(sample_index: Path) -> Path:
    """The sample index, its releases tagged with countries, organisations and people by
    the indexer (issue 13); a name of its own for the tests that count on them."""
    return sample_index


@pytest.fixture(scope="session")
def entity_app(app):
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()

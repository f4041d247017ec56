"""pytest wiring for the browser tests: the e2e harness (tests/e2e/conftest.py, loaded
under its own name so both suites can live in one checkout), an admin daemon with the
plain-HTTP loopback listener, and one headless chromium per test.

Screenshots of every page a test visits go to tests/ui/artifacts/ (kept after the run)."""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
E2E = HERE.parent / "e2e"
sys.path.insert(0, str(E2E))
sys.path.insert(0, str(HERE))

_spec = importlib.util.spec_from_file_location("e2e_harness", E2E / "conftest.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

# Fixtures and helpers of the e2e harness, used here as they are (admin_api.start_admin
# imports free_port from the module named conftest: this one while tests/ui runs).
free_port = harness.free_port
daemon_factory = harness.daemon_factory
mailserver = harness.mailserver

from admin_api import ADMIN_PASSWORD, AdminApi, start_admin  # noqa: E402,F401  (ADMIN_PASSWORD for the tests)
from browser import Browser  # noqa: E402

ARTIFACTS = HERE / "artifacts"
UI_INDEX = harness.BIN.parent.parent / "share" / "ui" / "index.html"


@pytest.fixture
def browser():
    if not UI_INDEX.exists():
        pytest.fail(f"{UI_INDEX} missing: run scripts/build-ui.sh first")
    b = Browser()
    yield b
    b.close()


@pytest.fixture
def admin_daemon(mailserver):
    """A running mail server (example.test, LAN 127.0.0.2/32) with the admin panel on
    plain HTTP at 127.0.0.1; .url is the panel's address, .api an AdminApi logged in."""
    d = start_admin(mailserver)
    d.url = f"http://127.0.0.1:{d.ports['admin_plain']}/"
    d.api = AdminApi(d)
    d.api.login()
    return d


@pytest.fixture
def shots(request):
    """shots(browser, name) saves a full-page screenshot as artifacts/<test>-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(b, name):
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{name}")
        b.page(["screenshot", {"path": str(ARTIFACTS / f"{stem}.png"), "fullPage": True}])
    return take

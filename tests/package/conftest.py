"""pytest wiring for the package tests; the helpers live in spktest.py (a name
of its own, so that running tests/e2e and tests/package in one pytest call
cannot mix up the two suites' conftest modules)."""
from spktest import pytest_runtest_makereport, spk  # noqa: F401  (fixture and hook)

"""The suite can never touch a real database: TEST_DATABASE_URL only, and a name marked for tests."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NotATestDatabase, check_test_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:5432/concertation",
    "postgresql://postgres@127.0.0.1:5432/production",
    "sqlite:////srv/concertation/instance/concertation.db",
    "sqlite:////srv/tests/concertation.db",  # a folder named "tests" is not a test database
])
def test_a_database_not_named_for_tests_is_refused(url):
    with pytest.raises(NotATestDatabase, match="must contain 'test'"):
        check_test_database(url)


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://postgres@127.0.0.1:5432/concertation_test",
    "sqlite:////tmp/x/test.db",
])
def test_a_test_database_is_accepted(url):
    assert check_test_database(url) == url


def _run_suite_part(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and test file
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_smoke.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_the_suite_refuses_to_start_on_a_real_database(tmp_path):
    production = tmp_path / "concertation.db"
    result = _run_suite_part({"TEST_DATABASE_URL": f"sqlite:///{production}"}, tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "must contain 'test'" in result.stdout + result.stderr
    assert not production.exists(), "the refused database was touched"


def test_the_suite_ignores_the_applications_database_url(tmp_path):
    production = tmp_path / "concertation.db"
    result = _run_suite_part({"DATABASE_URL": f"sqlite:///{production}"}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not production.exists(), "the suite touched the application's DATABASE_URL"

"""The project's own safety nets: skipped tests fail CI, installs are pinned with hashes."""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_skipping_test(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    test = tmp_path / "test_skips.py"
    test.write_text("import pytest\n\ndef test_needs_a_service():\n    pytest.skip('no service here')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_DATABASE_URL")}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skipped_test_fails_the_run_in_ci(tmp_path):
    result = _run_skipping_test(tmp_path, "true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped, which fails the run" in result.stdout


def test_a_skipped_test_is_only_reported_outside_ci(tmp_path):
    result = _run_skipping_test(tmp_path, None)
    assert result.returncode == 0, result.stdout + result.stderr


def _requirement_names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}


def test_every_dependency_is_locked_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirement_names(project["dependencies"])
    for extra in ("test", "redis"):
        wanted |= _requirement_names(project["optional-dependencies"][extra])
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", lock, re.M))
    missing = {name for name in wanted if name not in pins}
    assert not missing, f"not in requirements.lock (run `make lock`): {sorted(missing)}"
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)
    ruff = next(s for s in project["optional-dependencies"]["test"] if s.startswith("ruff"))
    assert ruff == f"ruff=={pins['ruff']}", "ruff is pinned in pyproject.toml and the lock alike"

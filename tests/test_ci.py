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


def _pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """``{name: (version, hashes)}`` of a pip-compile lock file."""
    pins = {}
    for block in re.split(r"\n(?=[a-z0-9])", lock):
        match = re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+) \\$", block, re.M)
        if match:
            pins[match.group(1)] = (match.group(2), frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", block)))
    return pins


def test_the_bench_tools_are_locked_with_hashes_on_top_of_the_main_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bench = (ROOT / "requirements-bench.lock").read_text()
    pins, main = _pins(bench), _pins((ROOT / "requirements.lock").read_text())
    wanted = _requirement_names(project["dependencies"] + project["optional-dependencies"]["bench"])
    missing = {name for name in wanted if name not in pins}
    assert not missing, f"not in requirements-bench.lock (run `make lock`): {sorted(missing)}"
    assert {"locust", "pyinstrument", "requests", "gunicorn", "gevent"} <= set(pins)
    assert all(hashes for _version, hashes in pins.values()), "every pin carries its hashes"
    assert bench.count("==") == len(pins)
    # Compiled with requirements.lock as constraints: what both hold is pinned alike.
    differ = {name for name in set(pins) & set(main) if pins[name] != main[name]}
    assert not differ, f"pinned differently from requirements.lock: {sorted(differ)}"


def test_make_installs_the_bench_lock_with_hashes_and_regenerates_it():
    makefile = (ROOT / "Makefile").read_text()
    stamp = makefile.split("$(BENCH_STAMP): ", 1)[1].split("\n\n", 1)[0]
    assert "$(BENCH_LOCK)" in stamp.splitlines()[0], "a new bench lock reinstalls"
    assert "pip install --quiet --require-hashes -r $(BENCH_LOCK)" in stamp
    assert "-e " not in stamp, "nothing unpinned"
    lock = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert "--extra bench --constraint $(LOCK)" in lock and "-o $(BENCH_LOCK)" in lock
    assert "BENCH_LOCK := requirements-bench.lock" in makefile
    for target in ("bench", "bench-large"):
        assert re.search(rf"^{target}: need-wrk ", makefile, re.M), f"{target} checks for wrk first"


def _need_wrk(tmp_path: Path, uid: int, *, wrk: bool = False, apt: bool = True) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run bench/need-wrk.sh with stand-ins for id, apt-get and wrk on PATH (nothing is installed)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "apt.log"
    bin_dir.mkdir()
    stubs = {"id": f"echo {uid}\n", "cat": 'exec /bin/cat "$@"\n'}
    if wrk:
        stubs["wrk"] = "exit 0\n"
    if apt:  # like a fresh machine: the package is unknown until the lists are read
        stubs["apt-get"] = (f'echo "$*" >> {log}\ncase "$*" in\n  *update*) : > {tmp_path}/updated ;;\n'
                            f'  *install*) [ -e {tmp_path}/updated ] || exit 100\n'
                            f'    printf "#!/bin/sh\\nexit 0\\n" > {bin_dir}/wrk; /bin/chmod +x {bin_dir}/wrk ;;\nesac\n')
    for name, body in stubs.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body)
        (bin_dir / name).chmod(0o755)
    result = subprocess.run(["/bin/sh", str(ROOT / "bench" / "need-wrk.sh")], env={"PATH": str(bin_dir)},  # noqa: S603
                            capture_output=True, text=True, timeout=30)
    return result, (log.read_text().splitlines() if log.exists() else [])


def test_need_wrk_does_nothing_when_wrk_is_there(tmp_path):
    result, apt = _need_wrk(tmp_path, 0, wrk=True)
    assert result.returncode == 0 and apt == [] and result.stderr == ""


def test_need_wrk_installs_it_as_root_reading_the_package_lists_when_needed(tmp_path):
    result, apt = _need_wrk(tmp_path, 0)
    assert result.returncode == 0, result.stderr
    assert apt == ["install -y -qq wrk", "update -qq", "install -y -qq wrk"]
    assert "installing Debian's package" in result.stderr


def test_need_wrk_explains_how_to_install_it_otherwise(tmp_path):
    for uid, apt_there in ((1000, True), (0, False)):  # not root; root without apt-get
        (tmp_path / str(uid)).mkdir()
        result, apt = _need_wrk(tmp_path / str(uid), uid, apt=apt_there)
        assert result.returncode == 1
        assert apt == []
        assert "sudo apt-get install wrk" in result.stderr and "brew install wrk" in result.stderr

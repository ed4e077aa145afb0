"""Logs: secrets masked in every handler's output (gunicorn's access log included); security events with a request id."""
from __future__ import annotations

import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from coordination.logs import MaskSecrets, mask_secrets

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cr3tT0kenValue1234567890abcdef"
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def _gunicorn_record() -> logging.LogRecord:
    """A record shaped as gunicorn's access logger makes it: one dict of atoms as the args."""
    atoms = {"h": "127.0.0.1", "l": "-", "u": "-", "t": "[01/Dec/2026:10:00:00 +0000]",
             "r": f"GET /calendar/{SECRET}/mine.ics HTTP/1.1", "s": "200", "b": "512", "f": "-", "a": "curl"}
    return logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, ACCESS_FORMAT, (atoms,), None)


def test_filter_keeps_gunicorn_dict_args_and_masks_them():
    record = _gunicorn_record()
    assert isinstance(record.args, dict)
    assert MaskSecrets().filter(record)
    assert isinstance(record.args, dict)
    line = logging.Formatter("%(message)s").format(record)  # raised "format requires a mapping"
    assert "/calendar/***/mine.ics" in line and SECRET not in line
    assert line.startswith("127.0.0.1 - - [01/Dec/2026")


def test_filter_masks_tuple_args_objects_and_tracebacks():
    class Url:
        def __str__(self):
            return f"https://portal.example/calendar/{SECRET}/bodies/1.ics"

    try:
        raise ValueError(f"bad feed /calendar/{SECRET}/mine.ics")
    except ValueError:
        record = logging.LogRecord("coordination.x", logging.ERROR, __file__, 1, "fetching %s for %d (%s)",
                                   (Url(), 3, f"/calendar/{SECRET}/mine.ics?token={SECRET}"), sys.exc_info())
    MaskSecrets().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert SECRET not in text and "for 3" in text and "Traceback" in text


def test_every_handler_masks_records_of_child_loggers():
    """A filter on a logger misses its children's records: it must sit on the handlers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    parent = logging.getLogger("concertation_test_parent")
    parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    try:
        mask_secrets()
        logging.getLogger("concertation_test_parent.child.grandchild").error("unhandled error on %s", f"/calendar/{SECRET}/mine.ics")
        assert "/calendar/***/mine.ics" in stream.getvalue() and SECRET not in stream.getvalue()
    finally:
        parent.removeHandler(handler)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_gunicorn_writes_a_masked_access_log(tmp_path):
    """The README's deployment command: the access log has every request, tokens masked, no TypeError."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn-test.db'}", SECRET_KEY="gunicorn-test",
               CONCERTATION_INSTANCE=str(tmp_path / "instance"))
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    log_file = tmp_path / "gunicorn.log"
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],  # noqa: S603
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    with log_file.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server, on loopback
            [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
             "--error-logfile", "-", "app:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as r:  # noqa: S310
                        assert r.status == 200
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert time.monotonic() < deadline, log_file.read_text()
                    time.sleep(0.2)
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar/{SECRET}/mine.ics", timeout=5)  # noqa: S310
            assert missing.value.code == 404
            missing.value.close()
        finally:
            process.terminate()
            process.wait(15)
    output = log_file.read_text()
    assert "TypeError" not in output and "format requires a mapping" not in output, output
    assert SECRET not in output, output
    assert '"GET /health HTTP/1.1" 200' in output, output
    assert '"GET /calendar/***/mine.ics HTTP/1.1" 404' in output, output


# --- security events ---------------------------------------------------------------------


def _security(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "coordination.security"]


def test_failed_login_is_logged_with_account_address_and_request_id_never_the_password(client, make, caplog):
    user = make.user()
    caplog.set_level(logging.INFO)
    response = client.login(user.email, "Wrong-Password-Typed-Here")
    assert response.status_code == 401
    events = _security(caplog)
    assert len(events) == 1, events
    assert "login_failed" in events[0] and user.email in events[0] and "127.0.0.1" in events[0]
    assert response.headers["X-Request-ID"] in events[0]
    assert "Wrong-Password-Typed-Here" not in caplog.text


def test_throttled_login_is_logged(client, make, caplog):
    user = make.user()
    for _ in range(5):
        client.login(user.email, "wrong password!!")
    caplog.set_level(logging.INFO)
    response = client.login(user.email)
    assert response.status_code == 429
    assert any("throttled" in e and user.email in e for e in _security(caplog)), _security(caplog)


def test_refusals_by_the_policy_are_logged(login_as, make, caplog):
    from coordination.bodies.models import Visibility

    hidden = make.body(visibility=Visibility.RESTRICTED)
    c = login_as("member")
    caplog.set_level(logging.INFO)
    hidden_response = c.get(f"/bodies/{hidden.id}")
    assert hidden_response.status_code == 404
    forbidden = c.submit("/organisations/new", {"name": "X"})
    assert forbidden.status_code == 403
    events = _security(caplog)
    assert any("denied" in e and "404" in e and f"Body {hidden.id}" in e
               and hidden_response.headers["X-Request-ID"] in e for e in events), events
    assert any("denied" in e and "403" in e and "Organisation" in e for e in events), events
    caplog.clear()
    assert c.get("/bodies/2147483000").status_code == 404  # no such object: nothing to report
    assert _security(caplog) == []


def test_csrf_failure_is_logged_and_answers_400(login_as, caplog):
    c = login_as("admin")
    caplog.set_level(logging.INFO)
    response = c.post("/organisations/new", data={"name": "No token"})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert any("csrf" in e and response.headers["X-Request-ID"] in e for e in _security(caplog))


def test_the_500_page_shows_the_request_id(login_as, monkeypatch, caplog):
    from coordination.bodies import queries

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    c = login_as("member")
    monkeypatch.setattr(queries, "body_tree", broken)
    response = c.get("/bodies/", headers={"X-Request-ID": "proxy-given-id-42"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "proxy-given-id-42"
    assert "proxy-given-id-42" in response.get_data(as_text=True)
    assert "proxy-given-id-42" in caplog.text  # the log line the reference points to


def test_a_malformed_request_id_from_outside_is_replaced(client):
    response = client.get("/accounts/login", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id" and len(response.headers["X-Request-ID"]) == 16

"""Load test: members report progress and comment, the secretariat edits minutes and agendas,
everyone browses and polls feeds — at the same time, on the same few objects.

Run through ``make load`` (bench/load.py), which builds the workload, serves it with gunicorn
on PostgreSQL, runs this file headless and then checks the database against the journal of
writes kept here (LOAD_JOURNAL): every accepted write must be there, and every refused
concurrent edit must have been refused with 409.

Concurrent edits are made to happen, not left to chance: secretariat users gather in a
:class:`Clash` — up to three of them open the same edit form (minutes, meeting or agenda item,
taken in turn from the workload's ``targets``), each keeping the CSRF token and the hidden
``version`` of the copy it loaded, wait until all have loaded it, then save at the same moment.
At most one of them can save that version; the others carry a stale version and must get 409.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from gevent.event import Event
from locust import HttpUser, between, events, task

WORKLOAD = json.loads(Path(os.environ["LOAD_WORKLOAD"]).read_text()) if os.environ.get("LOAD_WORKLOAD") else {}
JOURNAL: list[dict] = []
_lock = threading.Lock()
_members = itertools.cycle(WORKLOAD.get("members", []))
_secretaries = itertools.cycle(WORKLOAD.get("secretariat_accounts") or [WORKLOAD.get("secretariat", "")])
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def note(kind: str, **data) -> dict:
    """Journal a write before it is sent; its ``status`` is set when the answer comes (a write
    left at None was cut off by the end of the run, and bench/load.py says so)."""
    entry = {"kind": kind, "status": None, **data}
    with _lock:
        JOURNAL.append(entry)
    return entry


class FormFields(HTMLParser):
    """Every form of a page: (action, method, fields) with inputs, selects and text areas."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self.fields: dict[str, str] | None = None
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.fields = {}
            self.forms.append((a.get("action") or "", (a.get("method") or "get").lower(), self.fields))
        elif self.fields is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "y")
            elif a.get("type") != "submit":
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and ("selected" in a):
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.fields is not None:
            self.fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    """The fields of the POST form posting to ``action`` (a form without action posts to its page)."""
    parser = FormFields()
    parser.feed(html)
    posts = [(a, f) for a, m, f in parser.forms if m == "post"]
    return next((f for a, f in posts if a and action in a), None) or next((f for a, f in posts if not a), {})


def _marker() -> str:
    return f"load-{uuid.uuid4().hex[:12]}"


class Portal(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    email = ""

    def on_start(self):
        page = self.client.get("/accounts/login", name="log-in page")
        token = CSRF.search(page.text).group(1)
        with self.client.post("/accounts/login", data={"email": self.email, "password": WORKLOAD["password"],
                                                       "csrf_token": token}, name="log in", allow_redirects=False,
                              catch_response=True) as response:
            # Logged in means sent on (303) elsewhere than the log-in pages: a user left logged
            # out would browse the log-in page and have every write refused.
            if response.status_code != 303 or "/accounts/login" in response.headers.get("Location", "/accounts/login"):
                response.failure(f"log-in refused: {response.status_code} → {response.headers.get('Location')}")

    def post(self, url: str, data: dict, name: str, expected=(303,)):
        """POST a form; a 409 is a refusal to record, anything ≥ 500 a failure."""
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code >= 500:
                response.failure(f"{response.status_code}")
            elif response.status_code in expected or response.status_code == 409:
                response.success()
            else:
                response.failure(f"unexpected {response.status_code}")
            return response.status_code

    def browse(self):
        w = WORKLOAD
        target = random.choice([
            ("/dashboard", "dashboard"), (f"/bodies/{w['body_id']}", "body page"),
            (f"/meetings/{random.choice(w['meeting_ids'])}", "meeting page"),
            (f"/minutes/{random.choice(w['circulated_minutes'])}", "minutes page"),
            (f"/plans/{w['plan_id']}", "plan page"), (f"/plans/items?plan={w['plan_id']}", "action list"),
        ])
        self.client.get(target[0], name=target[1])


class Member(Portal):
    """A ministry's representative: reads, reports progress on their items, comments."""

    weight = 6

    def on_start(self):
        self.email = next(_members)
        self.items = WORKLOAD["items_by_member"].get(self.email) or []
        super().on_start()

    @task(5)
    def read(self):
        self.browse()

    @task(3)
    def report_progress(self):
        if not self.items:
            return
        item = random.choice(self.items[:5])  # a few items, so that members collide
        page = self.client.get(f"/plans/items/{item}", name="item page")
        fields = form_fields(page.text, f"/plans/items/{item}/progress")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        # The date the form proposes (today where the portal is), as a browser sends it: the UTC
        # date is already tomorrow there in the evening, and a report dated in the future is refused.
        fields.update({"status": "in_progress",
                       "progress": str(random.randint(1, 99)), "narrative": marker, "evidence_url": "",
                       "corrects_id": ""})
        entry = note("progress", item_id=item, marker=marker, progress=int(fields["progress"]),
                     item_status="in_progress")
        entry["status"] = self.post(f"/plans/items/{item}/progress", fields, "report progress", expected=(303, 422))

    @task(2)
    def comment_item(self):
        if not self.items:
            return
        item = random.choice(self.items[:5])
        page = self.client.get(f"/plans/items/{item}", name="item page")
        fields = form_fields(page.text, f"/plans/items/{item}/comments")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        fields["text"] = marker
        entry = note("item_comment", item_id=item, marker=marker)
        entry["status"] = self.post(f"/plans/items/{item}/comments", fields, "comment on an item")

    @task(2)
    def comment_minutes(self):
        minutes = random.choice(WORKLOAD["circulated_minutes"][:3])
        page = self.client.get(f"/minutes/{minutes}", name="minutes page")
        fields = form_fields(page.text, f"/minutes/{minutes}/comments")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        fields["text"] = marker
        entry = note("minutes_comment", minutes_id=minutes, marker=marker)
        entry["status"] = self.post(f"/minutes/{minutes}/comments", fields, "comment on minutes")

    @task(2)
    def poll_feed(self):
        token = WORKLOAD["feed_token"]
        url = random.choice([f"/calendar/{token}/mine.ics", f"/calendar/{token}/bodies/{WORKLOAD['body_id']}.ics"])
        etag = getattr(self, "etags", {}).get(url)
        response = self.client.get(url, headers={"If-None-Match": etag} if etag else {},
                                   name="feed (conditional)" if etag else "feed")
        self.etags = {**getattr(self, "etags", {}), url: response.headers.get("ETag")}


@dataclass(frozen=True)
class EditForm:
    """An edit form with a hidden ``version``: where it is shown, where it posts, the field changed."""

    page: str
    action: str
    field: str
    page_name: str
    save_name: str
    prefix: str = ""  # the saved value is prefix + marker


EDITS = {
    "minutes": EditForm("/minutes/{id}", "/minutes/{id}/edit", "summary", "minutes page", "edit minutes"),
    "meeting": EditForm("/meetings/{id}/edit", "/meetings/{id}/edit", "location", "meeting edit page", "edit meeting",
                        "Room "),
    "agenda_item": EditForm("/meetings/{meeting}/agenda/{id}/edit", "/meetings/{meeting}/agenda/{id}/edit", "title",
                            "agenda item edit page", "edit agenda item"),
}
# Every edit target in turn, the kinds interleaved (load.py lists them in the workload: two
# minutes, three meetings, an agenda item of each), so that each kind of edit form collides.
_targets = itertools.cycle([pair for row in itertools.zip_longest(*(
    [(kind, target) for target in WORKLOAD.get("targets", {}).get(kind, [])] for kind in EDITS)) for pair in row if pair])


class Clash:
    """Secretariat users who open the same edit form, then save it at the same moment.

    A user joins the clash still gathering (or starts one on the next target), loads the form,
    and waits — at most ``WAIT`` seconds — until ``SIZE`` users have loaded it; then all save.
    Users are greenlets of one process, so the bookkeeping needs no lock (nothing here yields
    but the wait).
    """

    SIZE = 3
    WAIT = 5.0
    gathering: Clash | None = None
    _ids = itertools.count(1)

    def __init__(self, kind: str, target: dict):
        self.id, self.kind, self.target = next(self._ids), kind, target
        self.joined = self.loaded = 0
        self.go = Event()

    @classmethod
    def join(cls) -> Clash:
        clash = cls.gathering
        if clash is None:
            clash = cls.gathering = cls(*next(_targets))
        clash.joined += 1
        if clash.joined == cls.SIZE:
            cls.gathering = None
        return clash

    def loaded_form(self) -> None:
        """This user holds the form: wait until the others do too (or ``WAIT`` has passed)."""
        self.loaded += 1
        if self.loaded >= self.SIZE:
            self.go.set()
        if not self.go.wait(self.WAIT):
            if Clash.gathering is self:  # too few came: save with those who did, let no one else join
                Clash.gathering = None
            self.go.set()


class Secretariat(Portal):
    """The secretariat: edits the same few minutes, meetings and agenda items together, adds agenda items."""

    weight = 2

    def on_start(self):
        self.email = next(_secretaries)  # three secretaries, so that clashes are between people
        super().on_start()

    @task(2)
    def read(self):
        self.browse()

    @task(5)
    def edit_together(self):
        clash = Clash.join()
        form = EDITS[clash.kind]
        page_url, action = form.page.format(**clash.target), form.action.format(**clash.target)
        try:
            page = self.client.get(page_url, name=form.page_name)
            fields = form_fields(page.text, action)
        finally:
            clash.loaded_form()  # even without a form: the others must not wait for this one
        if "version" not in fields or "csrf_token" not in fields:
            note("edit", object=clash.kind, id=clash.target["id"], clash=clash.id, base=None,
                 status=f"no edit form on {page_url} ({page.status_code})")
            return
        fields[form.field] = form.prefix + _marker()
        entry = note("edit", object=clash.kind, id=clash.target["id"], clash=clash.id, base=int(fields["version"]),
                     value=fields[form.field], who=self.email, sent=time.monotonic())
        entry["status"] = self.post(action, fields, form.save_name)
        entry["answered"] = time.monotonic()

    @task(2)
    def add_agenda_item(self):
        meeting = random.choice(WORKLOAD["meeting_ids"][-3:])
        page = self.client.get(f"/meetings/{meeting}", name="meeting page")
        fields = form_fields(page.text, f"/meetings/{meeting}/agenda")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        fields.update({"title": marker, "duration_minutes": "10", "description": ""})
        entry = note("agenda_item", meeting_id=meeting, marker=marker, duration_minutes=10)
        entry["status"] = self.post(f"/meetings/{meeting}/agenda", fields, "add agenda item")


class FeedReader(HttpUser):
    """A calendar program: polls the feeds with the ETag it was given."""

    weight = 2
    wait_time = between(1, 3)

    @task
    def poll(self):
        token = WORKLOAD["feed_token"]
        url = random.choice([f"/calendar/{token}/mine.ics", f"/calendar/{token}/bodies/{WORKLOAD['body_id']}.ics"])
        etags = getattr(self, "etags", {})
        response = self.client.get(url, headers={"If-None-Match": etags[url]} if url in etags else {},
                                   name="feed (conditional)" if url in etags else "feed")
        self.etags = {**etags, url: response.headers.get("ETag")}


@events.quitting.add_listener
def _write_journal(environment, **_kwargs):
    path = os.environ.get("LOAD_JOURNAL")
    if path:
        Path(path).write_text(json.dumps(JOURNAL))

"""Load test: members report progress and comment, the secretariat edits minutes and agendas,
everyone browses and polls feeds — at the same time, on the same few objects.

Run through ``make load`` (bench/load.py), which builds the workload, serves it with gunicorn
on PostgreSQL, runs this file headless and then checks the database against the journal of
writes kept here (LOAD_JOURNAL): every accepted write must be there, and every refused
concurrent edit must have been refused with 409.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

WORKLOAD = json.loads(Path(os.environ["LOAD_WORKLOAD"]).read_text()) if os.environ.get("LOAD_WORKLOAD") else {}
JOURNAL: list[dict] = []
_lock = threading.Lock()
_members = itertools.cycle(WORKLOAD.get("members", []))
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def note(kind: str, **data) -> None:
    with _lock:
        JOURNAL.append({"kind": kind, **data})


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
        self.client.post("/accounts/login", data={"email": self.email, "password": WORKLOAD["password"],
                                                  "csrf_token": token}, name="log in", allow_redirects=False)

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
        fields.update({"update_date": datetime.now(UTC).date().isoformat(), "status": "in_progress",
                       "progress": str(random.randint(1, 99)), "narrative": marker, "evidence_url": "",
                       "corrects_id": ""})
        status = self.post(f"/plans/items/{item}/progress", fields, "report progress", expected=(303, 422))
        note("progress", item=item, marker=marker, status=status)

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
        note("item_comment", item=item, marker=marker,
             status=self.post(f"/plans/items/{item}/comments", fields, "comment on an item"))

    @task(2)
    def comment_minutes(self):
        minutes = random.choice(WORKLOAD["circulated_minutes"][:3])
        page = self.client.get(f"/minutes/{minutes}", name="minutes page")
        fields = form_fields(page.text, f"/minutes/{minutes}/comments")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        fields["text"] = marker
        note("minutes_comment", minutes=minutes, marker=marker,
             status=self.post(f"/minutes/{minutes}/comments", fields, "comment on minutes"))

    @task(2)
    def poll_feed(self):
        token = WORKLOAD["feed_token"]
        url = random.choice([f"/calendar/{token}/mine.ics", f"/calendar/{token}/bodies/{WORKLOAD['body_id']}.ics"])
        etag = getattr(self, "etags", {}).get(url)
        response = self.client.get(url, headers={"If-None-Match": etag} if etag else {},
                                   name="feed (conditional)" if etag else "feed")
        self.etags = {**getattr(self, "etags", {}), url: response.headers.get("ETag")}


class Secretariat(Portal):
    """The secretariat: edits the same few minutes and meetings, adds agenda items."""

    weight = 2
    email = WORKLOAD.get("secretariat", "")

    @task(2)
    def read(self):
        self.browse()

    @task(3)
    def edit_minutes(self):
        minutes = random.choice(WORKLOAD["circulated_minutes"][:2])  # two drafts for everyone: edits collide
        page = self.client.get(f"/minutes/{minutes}", name="minutes page")
        fields = form_fields(page.text, f"/minutes/{minutes}/edit")
        if "version" not in fields:
            return
        marker = _marker()
        fields["summary"] = marker
        status = self.post(f"/minutes/{minutes}/edit", fields, "edit minutes")
        note("minutes_edit", minutes=minutes, base=int(fields["version"]), marker=marker, status=status)

    @task(2)
    def edit_meeting(self):
        meeting = random.choice(WORKLOAD["meeting_ids"][-3:])
        page = self.client.get(f"/meetings/{meeting}/edit", name="meeting edit page")
        fields = form_fields(page.text, f"/meetings/{meeting}/edit")
        if "version" not in fields:
            return
        marker = _marker()
        fields["location"] = f"Room {marker}"
        status = self.post(f"/meetings/{meeting}/edit", fields, "edit meeting")
        note("meeting_edit", meeting=meeting, base=int(fields["version"]), marker=marker, status=status)

    @task(2)
    def add_agenda_item(self):
        meeting = random.choice(WORKLOAD["meeting_ids"][-3:])
        page = self.client.get(f"/meetings/{meeting}", name="meeting page")
        fields = form_fields(page.text, f"/meetings/{meeting}/agenda")
        if "csrf_token" not in fields:
            return
        marker = _marker()
        fields.update({"title": marker, "duration_minutes": "10", "description": ""})
        note("agenda_item", meeting=meeting, marker=marker,
             status=self.post(f"/meetings/{meeting}/agenda", fields, "add agenda item"))


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

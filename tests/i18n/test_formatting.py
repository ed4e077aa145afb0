"""Locale-aware formatting and documents in the reader's language (with the French fixture catalogue)."""
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from docx import Document
from flask_babel import gettext


def test_meeting_span_is_one_format_in_each_language(app):
    from coordination.dates import format_span
    from coordination.i18n import in_locale

    start, end = datetime(2026, 11, 3, 15, tzinfo=UTC), datetime(2026, 11, 3, 17, tzinfo=UTC)
    with app.test_request_context():
        with in_locale("en"):
            en = format_span(start, end, "America/Port-au-Prince")
    # Same day written once, the zone once, no second date in another format.
    assert en.replace("\u202f", " ").replace("\u2009", " ") == "Tue, Nov 3, 2026, 10:00 AM – 12:00 PM EST"
    assert en.count("2026") == 1 and en.count("EST") == 1
    with app.test_request_context():
        later = format_span(start, datetime(2026, 11, 4, 17, tzinfo=UTC), "America/Port-au-Prince")
    assert "Nov 3, 2026" in later and "Nov 4, 2026" in later


def test_pure_span_text_in_french_and_spanish():
    from zoneinfo import ZoneInfo

    from coordination.dates import span_text

    start, end = datetime(2026, 11, 3, 15, tzinfo=UTC), datetime(2026, 11, 3, 17, tzinfo=UTC)
    zone = ZoneInfo("America/Port-au-Prince")
    fr = span_text(start, end, zone, "fr")
    es = span_text(start, end, zone, "es")
    assert fr.startswith("mar. 3 nov. 2026") and "10:00" in fr and "12:00" in fr and "AM" not in fr
    assert es.startswith("mar, 3 nov 2026") and "10:00" in es


def test_numbers_percentages_and_money_follow_the_locale(i18n_app):
    from coordination.i18n import format_money, format_number, format_percentage, in_locale

    with i18n_app.test_request_context():
        with in_locale("en"):
            assert format_number(Decimal("1234.5")) == "1,234.5"
            assert format_percentage(45) == "45%"
            assert format_money(Decimal("12000"), "USD") == "$12,000.00"
            assert format_money(Decimal("12000"), "") == "12,000.00"
            assert format_money(Decimal("5"), "ZZZ") in {"ZZZ 5.00", "ZZZ5.00", "5.00 ZZZ"}
        with in_locale("fr") as code:
            assert code == "fr"
            assert format_number(Decimal("1234.5")).replace("\u202f", " ") == "1 234,5"
            assert format_percentage(45).replace("\u202f", " ").replace("\xa0", " ") == "45 %"
            assert format_money(Decimal("12000"), "USD").replace("\u202f", " ").replace("\xa0", " ") == "12 000,00 $US"


def test_in_locale_takes_a_person_or_a_code_and_falls_back(i18n_app, make):
    from coordination.i18n import in_locale

    person = make.user(language="fr")
    with i18n_app.app_context():
        with in_locale(person) as code:
            assert code == "fr" and gettext("Dashboard") == "Tableau de bord"
        with in_locale("es") as code:  # no Spanish catalogue in this application
            assert code == "en" and gettext("Dashboard") == "Dashboard"
        with in_locale(None) as code:
            assert code == "en"


def test_item_page_shows_budget_and_progress_in_the_reader_s_format(login_as, make):
    body = make.body()
    plan = make.plan(body)
    item = make.item(plan, budget_amount=Decimal("150000"), budget_currency="USD")
    html = login_as("secretariat").get(f"/plans/items/{item.id}").get_data(as_text=True)
    assert "$150,000.00" in html


def _agenda_meeting(make):
    body = make.body(name="Comité national", acronym="CN")
    return make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="Réunion de février")


def test_agenda_word_document_in_the_viewer_s_language(i18n_login, make):
    meeting = _agenda_meeting(make)
    c = i18n_login("secretariat", language="fr")
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "Point sur le plan", "duration_minutes": "45"},
             token_url=f"/meetings/{meeting.id}")
    document = Document(io.BytesIO(c.get(f"/meetings/{meeting.id}/agenda.docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Ordre du jour: Réunion de février" in text  # the label translated, the title as typed
    # One date line for Word: the full date in the viewer's language, the zone's abbreviation and offset.
    assert "Quand: mardi 3 février 2026, 10:00–12:00 (EST, UTC−05:00" in text and "Durée prévue: 45 min" in text
    assert [cell.text for cell in document.tables[0].rows[0].cells] == ["#", "Point", "Présentateur", "Durée"]
    assert document.core_properties.language == "fr"


def test_word_document_in_a_language_chosen_at_download(i18n_login, make):
    meeting = _agenda_meeting(make)
    c = i18n_login("secretariat", language="en")
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/agenda.docx?lang=fr"' in page  # offered next to the button
    french = Document(io.BytesIO(c.get(f"/meetings/{meeting.id}/agenda.docx?lang=fr").data))
    assert any(p.text.startswith("Ordre du jour") for p in french.paragraphs)
    english = Document(io.BytesIO(c.get(f"/meetings/{meeting.id}/agenda.docx").data))
    assert any(p.text.startswith("Agenda: ") for p in english.paragraphs)
    # Spanish is configured but has no catalogue here: English, not a half-translated document.
    spanish = Document(io.BytesIO(c.get(f"/meetings/{meeting.id}/agenda.docx?lang=es").data))
    assert any(p.text.startswith("Agenda: ") for p in spanish.paragraphs)
    assert c.get(f"/meetings/{meeting.id}/agenda.docx?lang=xx").status_code == 400


def test_minutes_word_document_in_french(i18n_login, make):
    meeting = _agenda_meeting(make)
    c = i18n_login("secretariat", language="fr")
    c.submit(f"/minutes/new/{meeting.id}", {}, token_url=f"/meetings/{meeting.id}")
    from coordination.extensions import db
    from coordination.minutes.models import Minutes

    with c.application.app_context():
        minutes_id = db.session.execute(db.select(Minutes.id).where(Minutes.meeting_id == meeting.id)).scalar_one()
    document = Document(io.BytesIO(c.get(f"/minutes/{minutes_id}.docx").data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Procès-verbal: Réunion de février" in headings and "Présences" in headings and "Décisions" in headings


def test_word_download_language_does_not_open_hidden_meetings(i18n_login, make):
    from coordination.bodies.models import Visibility

    body = make.body(visibility=Visibility.RESTRICTED)
    meeting = make.meeting(body)
    member = i18n_login("member", language="fr")
    assert member.get(f"/meetings/{meeting.id}/agenda.docx?lang=fr").status_code == 404
    assert date.today()  # the refusal above is the point; nothing was produced

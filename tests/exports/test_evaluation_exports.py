"""The evaluation's Word progress report and spreadsheet, parsed back."""
import io
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.evaluations.conftest import small_plan  # noqa: F401 - fixture


@pytest.fixture
def evaluations(small_plan, login_as, make, committee):  # noqa: F811
    evaluator = login_as("evaluator", full_name="Eva Luator")
    early = make.evaluation(small_plan["plan"], evaluator.user, title="Mid-term 2021", as_of=date(2021, 12, 31),
                            period_start=date(2020, 1, 1), period_end=date(2021, 12, 31),
                            external_organisation="Consultants Ltd")
    late = make.evaluation(small_plan["plan"], evaluator.user, title="Final 2022", as_of=date(2022, 12, 31))
    make.recommendation(early, "Adopt a charter with legal status.", addressee_id=committee["orgs"][0].id)
    return {"client": evaluator, "early": early, "late": late}


def test_word_report_has_structure_charts_with_alt_text_and_the_comparison(evaluations):
    c, early, late = evaluations["client"], evaluations["early"], evaluations["late"]
    response = c.get(f"/evaluations/{early.id}/report.docx?with={late.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="evaluation-{early.id}.docx"'
    document = Document(io.BytesIO(response.data))
    assert document.core_properties.title == "Progress report — Mid-term 2021"
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    texts = [t for _, t in headings]
    assert headings[0] == ("Title", "Mid-term 2021")
    for expected in ("Contents", "Summary figures", "Progress by strategic axis", "Items by strategic axis",
                     "By owner organisation", "Indicators", "Overdue actions", "Comparison: 2021-12-31 → 2022-12-31",
                     "What moved", "Governance health", "Coverage of departments and areas", "Recommendations",
                     "Annex: every item as of the date", "1. Axis one", "National Committee"):
        assert expected in texts, expected
    body = document.element.body.xml
    assert 'TOC \\o "1-3"' in body and "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml
    # Pictures carry their text alternative.
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert len(descriptions) == 2
    assert descriptions[1] == "Progress by strategic axis. 1. Axis one: 75 %; 2. Axis two: 0 %."
    # Tables: header rows repeat; the numbers are those of the page.
    assert all("w:tblHeader" in t.rows[0]._tr.xml for t in document.tables)
    summary = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert summary["Overall progress"] == "37.5 %" and summary["Overdue"] == "1"
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["3", "Action c", "MAST", "2021-09-30", "92", "0 %"][1:] == next(r for r in cells if r[1] == "Action c" and "92" in r)[1:]
    assert any(r[:3] == ["R1", "Adopt a charter with legal status.", "Medium"] for r in cells)
    moved = next(t for t in document.tables if t.rows[0].cells[0].text == "Code" and any(
        "Action b" in row.cells[1].text and "pts" in row.cells[-1].text for row in t.rows))
    assert "+10" in " ".join(cell.text for row in moved.rows for cell in row.cells) or "10 pts" in " ".join(
        cell.text for row in moved.rows for cell in row.cells)
    annex = document.tables[-1]
    assert ["Action b", "In progress", "50 %", "2021-03-01", "Half the judges."] == [
        cell.text for cell in next(r for r in annex.rows if r.cells[1].text == "Action b").cells][1:]


def test_word_report_converts_with_libreoffice(evaluations, tmp_path):
    c, early = evaluations["client"], evaluations["early"]
    source = tmp_path / "report.docx"
    source.write_bytes(c.get(f"/evaluations/{early.id}/report.docx").data)
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required for this test"
    result = subprocess.run(  # noqa: S603 - fixed arguments, resolved executable
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=240, check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert result.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), result.stderr


def test_spreadsheet_has_typed_cells_frozen_headers_filters_and_matches_the_page(evaluations):
    c, early = evaluations["client"], evaluations["early"]
    response = c.get(f"/evaluations/{early.id}/tables.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Axes", "Items", "Owners", "Indicators", "Overdue", "Governance", "Coverage",
                               "Recommendations"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.bold for cell in sheet[1])
    page = c.get(f"/evaluations/{early.id}").get_data(as_text=True)
    axes = {row[1]: row[2] for row in book["Axes"].iter_rows(min_row=2, values_only=True)}
    assert axes == {"Axis one": 75.0, "Axis two": 0.0}
    table = page[page.index('id="axes-table"'):]
    assert re.search(r"1\. Axis one</th><td class=\"text-end\">75 %", table)
    items = {row[1]: row for row in book["Items"].iter_rows(min_row=2, values_only=True)}
    assert items["Action c"][4] == datetime(2021, 9, 30) and items["Action c"][8] == 92
    assert book["Items"]["E2"].number_format == "yyyy-mm-dd"
    assert isinstance(items["Action b"][6], int | float) and items["Action b"][6] == 50
    owners = {row[0]: row[1:] for row in book["Owners"].iter_rows(min_row=2, values_only=True)}
    assert owners["MSPP"] == (1, 1, 0, 100.0)
    indicator = next(book["Indicators"].iter_rows(min_row=2, values_only=True))
    assert indicator[3:6] == (10.0, 30.0, 20.0) and indicator[7] == 50.0
    [overdue] = list(book["Overdue"].iter_rows(min_row=2, values_only=True))
    assert overdue[1] == "Action c" and overdue[4] == 92
    [rec] = list(book["Recommendations"].iter_rows(min_row=2, values_only=True))
    assert rec[:4] == (1, "Adopt a charter with legal status.", "Medium", "MSPP")
    governance = list(book["Governance"].iter_rows(min_row=2, values_only=True))
    assert governance[0][0] == "National Committee" and governance[0][1] == 1


def test_charts_module_escapes_and_describes():
    from coordination.exports.charts import bar_chart_png, bar_chart_svg, describe

    svg = bar_chart_svg("c1", "T <&>", [("A & B", 50.0), ("C", None)], maximum=100, unit=" %")
    assert "<title id=\"c1-title\">T &lt;&amp;&gt;</title>" in svg and "A &amp; B" in svg
    assert "style=" not in svg  # presentation attributes only: renders under the strict CSP
    assert describe("T", [("A", 50.0), ("C", None)], " %") == "T. A: 50 %; C: — %."
    assert bar_chart_png("T", [("A", 1.0)]).startswith(b"\x89PNG")

"""Translated labels the evaluation page, Word report and spreadsheet share (exports stay pure)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask_babel import lazy_gettext as _l

from coordination.charters.models import LegalStatus, MeetingFrequency
from coordination.plans.models import ItemStatus

_LABELS = {
    "report": _l("Progress report"), "plan": _l("Plan"), "evaluation": _l("Evaluation"), "kind": _l("Kind"),
    "period": _l("Period covered"), "as_of": _l("Figures as of"), "authors": _l("Evaluators"),
    "status": _l("Status"), "finalised": _l("Made final on"), "contents": _l("Contents"),
    "toc_hint": _l("Right-click and choose “Update field” to build the table of contents."),
    "summary": _l("Summary figures"), "executive_summary": _l("Executive summary"),
    "overall": _l("Overall progress"), "actions": _l("Actions"), "completed": _l("Completed"),
    "overdue": _l("Overdue"), "not_started": _l("Not started"), "cancelled": _l("Cancelled"),
    "by_axis": _l("Progress by strategic axis"), "by_status": _l("Actions by status"),
    "axis": _l("Axis"), "progress": _l("Progress"), "items_by_axis": _l("Items by strategic axis"),
    "by_owner": _l("By owner organisation"), "owner": _l("Owner"), "items": _l("Actions"),
    "mean_progress": _l("Mean progress"), "indicators": _l("Indicators"), "indicator": _l("Indicator"),
    "unit": _l("Unit"), "baseline": _l("Baseline"), "target": _l("Target"), "value": _l("Value as of the date"),
    "value_date": _l("Reported on"), "percent_of_target": _l("Way to target (%)"),
    "overdue_list": _l("Overdue actions"), "days_late": _l("Days late"), "deadline": _l("Deadline"),
    "code": _l("Code"), "title": _l("Title"), "latest_report": _l("Latest report"),
    "comparison": _l("Comparison"), "compared_with": _l("Compared with"), "earlier": _l("Earlier"),
    "later": _l("Later"), "change": _l("Change"), "moved": _l("What moved"),
    "stalled": _l("What stalled (no report between the two dates)"), "added": _l("Added in between"),
    "cancelled_between": _l("Cancelled in between"), "rec_follow_up": _l("Recommendations of the earlier evaluation"),
    "governance": _l("Governance health"), "body": _l("Body"), "charter": _l("Adopted charter"),
    "legal_status": _l("Legal status"), "unsigned": _l("Member organisations that have not signed"),
    "meetings": _l("Meetings held / expected"), "quorum": _l("Held meetings with quorum"),
    "median_approval": _l("Median days to approve minutes"), "minutes_late": _l("Minutes unapproved after the limit"),
    "members_overdue": _l("Members' actions overdue"), "coverage": _l("Coverage of departments and areas"),
    "area": _l("Department / area"), "covering_bodies": _l("Active coordination bodies"),
    "targeting_actions": _l("Actions targeting it"), "none": _l("none"), "yes": _l("Yes"), "no": _l("No"),
    "findings": _l("Findings"), "progress_areas": _l("Areas of progress"), "lessons": _l("Lessons learned"),
    "recommendations": _l("Recommendations"), "priority": _l("Priority"), "addressee": _l("Addressed to"),
    "follow_up": _l("Follow-up"), "not_followed": _l("Not yet turned into an action"),
    "plan_overall": _l("The plan overall"), "annex": _l("Annex: every item as of the date"),
    "narrative": _l("Latest narrative"), "page": _l("Page"), "items_sheet": _l("Items"),
    "axes_sheet": _l("Axes"), "owners_sheet": _l("Owners"), "overdue_sheet": _l("Overdue"),
    "indicators_sheet": _l("Indicators"), "governance_sheet": _l("Governance"), "coverage_sheet": _l("Coverage"),
    "recommendations_sheet": _l("Recommendations"), "depth": _l("Level"), "update_date": _l("Report date"),
    "weight": _l("Weight"), "no_charter_flag": _l("No adopted charter"),
    "cannot_sign_flag": _l("Its legal status does not allow it to sign agreements or receive funds"),
    "unsigned_flag": _l("Some member organisations have not signed the charter"),
    "frequency_flag": _l("Fewer meetings than the charter's frequency asks for"),
    "quorum_flag": _l("Some held meetings did not reach quorum"),
    "minutes_flag": _l("Minutes still unapproved after the limit"),
    "overdue_flag": _l("Members' actions are overdue"), "flags": _l("Findings computed from the records"),
    "no_flag": _l("No governance issue found."), "unknown": _l("cannot be judged"),
    "progress_unit": _l("%"), "status_chart": _l("Actions by status"), "axis_chart": _l("Progress by strategic axis"),
    "days": _l("days"), "meetings_held": _l("Meetings held"), "meetings_expected": _l("Meetings expected"), "frequency": _l("Meeting frequency"),
}


def labels() -> dict[str, str]:
    """Every label in the current locale, with the status, legal status and frequency names."""
    result = {key: str(text) for key, text in _LABELS.items()}
    for enum_cls in (ItemStatus, LegalStatus, MeetingFrequency):
        for member in enum_cls:
            result[f"{enum_cls.__name__}.{member.value}"] = member.label
    return result


class _OnDemand(Mapping[str, str]):
    """The labels of :func:`labels`, each translated when it is read."""

    def __getitem__(self, key: str) -> str:
        text = _LABELS.get(key)
        return str(text) if text is not None else labels()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(labels())

    def __len__(self) -> int:
        return len(labels())


def labels_on_demand() -> Mapping[str, str]:
    """The same labels, translated as they are read (a page showing a few does not translate them all)."""
    return _OnDemand()

"""Demo structure: organisations, people, bodies, seats and the committee's charters.

Modelled on a national task force against violence against women. Everything is fictional but shaped like the real thing: a national committee with technical
commissions and sub-commissions, a departmental table, ministries, public institutions,
civil-society networks, UN agencies and donors. The demo passwords below exist only here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from coordination.accounts.models import Role, User
from coordination.accounts.services import hash_password
from coordination.bodies import services as bodies
from coordination.bodies.models import Body, BodyKind, Visibility
from coordination.charters import services as charters
from coordination.charters.models import DecisionRule, LegalStatus, MeetingFrequency, QuorumRule
from coordination.extensions import db
from coordination.memberships import services as memberships
from coordination.memberships.models import MembershipKind, SeatRole
from coordination.organisations.models import Level, Organisation, OrganisationKind
from coordination.organisations.services import create_organisation

TIMEZONE = "America/Port-au-Prince"

LOGINS = [
    ("admin", "admin@example.org", "admin-demo-2026"),
    ("secretariat", "secretariat@example.org", "secretariat-demo-2026"),
    ("member", "member@example.org", "member-demo-2026"),
    ("evaluator", "evaluator@example.org", "evaluator-demo-2026"),
]

# e-mail and TOTP key of the demo account that uses two-factor authentication (its password
# is in PEOPLE): add the key to any authenticator app, or `oathtool --totp -b KEY`.
TWO_FACTOR_DEMO = ("justice@example.org", "DEMOKEYFORJUSTICETWOFACTORSIGNIN")

M, PI, CS = OrganisationKind.MINISTRY, OrganisationKind.PUBLIC_INSTITUTION, OrganisationKind.CIVIL_SOCIETY
UN, IP = OrganisationKind.UN_AGENCY, OrganisationKind.INTERNATIONAL_PARTNER

ORGANISATIONS = [
    # acronym, name, kind, sectors, level
    ("MCF", "Ministry for the Status of Women and Women's Rights", M, ["gender"], Level.NATIONAL),
    ("MSPP", "Ministry of Public Health and Population", M, ["health"], Level.NATIONAL),
    ("MJSP", "Ministry of Justice and Public Safety", M, ["justice", "security"], Level.NATIONAL),
    ("MAST", "Ministry of Social Affairs and Labour", M, ["social_protection"], Level.NATIONAL),
    ("MENFP", "Ministry of National Education and Vocational Training", M, ["education"], Level.NATIONAL),
    ("MJSAC", "Ministry of Youth, Sports and Civic Action", M, ["education", "other"], Level.NATIONAL),
    ("MICT", "Ministry of the Interior and Local Authorities", M, ["local_government"], Level.NATIONAL),
    ("OPM", "Office of the Prime Minister", M, ["presidency"], Level.NATIONAL),
    ("INS", "National Institute of Statistics and Informatics", PI, ["statistics"], Level.NATIONAL),
    ("OPC", "Office for the Protection of Citizens", PI, ["justice"], Level.NATIONAL),
    ("PN", "National Police", PI, ["security"], Level.NATIONAL),
    ("MCF-SE", "Departmental Office for Women's Affairs, South-East", M, ["gender"], Level.DEPARTMENTAL),
    ("RNAF", "National Network of Women's Shelters", CS, ["social_protection", "gender"], Level.NATIONAL),
    ("RAJ", "Legal Aid Network for Women", CS, ["justice"], Level.NATIONAL),
    ("CONAP", "Coalition of Women's Organisations", CS, ["gender"], Level.NATIONAL),
    ("AFSE", "South-East Women's Associations Platform", CS, ["gender"], Level.DEPARTMENTAL),
    ("UNW", "UN Women", UN, ["gender"], Level.NATIONAL),
    ("UNFPA", "United Nations Population Fund", UN, ["health", "gender"], Level.NATIONAL),
    ("UNICEF", "United Nations Children's Fund", UN, ["social_protection", "education"], Level.NATIONAL),
    ("CANCOOP", "Canadian Development Cooperation", IP, ["other"], Level.NATIONAL),
    ("AECID", "Spanish Agency for International Development Cooperation", IP, ["other"], Level.NATIONAL),
]

PEOPLE = [
    # e-mail, name, organisation, position, role, password (None: cannot log in)
    ("admin@example.org", "Portal Administrator", "MCF", "IT officer", Role.ADMIN, LOGINS[0][2]),
    ("secretariat@example.org", "Nadège Pierre-Louis", "MCF", "Head of the committee secretariat", Role.SECRETARIAT, LOGINS[1][2]),
    ("member@example.org", "Dr. Jean-Robert Dorval", "MSPP", "Focal person for gender-based violence", Role.MEMBER, LOGINS[2][2]),
    ("evaluator@example.org", "Marta Illescas", "AECID", "Independent evaluator", Role.EVALUATOR, LOGINS[3][2]),
    ("justice@example.org", "Me Fritz Alexis", "MJSP", "Director of legal affairs", Role.MEMBER, "justice-demo-2026"),
    ("m.laguerre@example.org", "Marie-Carmel Laguerre", "MCF", "Director-General", Role.MEMBER, None),
    ("s.joseph@example.org", "Sandra Joseph", "MSPP", "Deputy focal person", Role.MEMBER, None),
    ("p.etienne@example.org", "Paul Étienne", "MJSP", "Legal adviser", Role.MEMBER, None),
    ("r.cadet@example.org", "Rose-Andrée Cadet", "MAST", "Director of social protection", Role.MEMBER, None),
    ("j.fleurant@example.org", "Josué Fleurant", "MENFP", "Head of school health", Role.MEMBER, None),
    ("d.noel@example.org", "Daphnée Noël", "INS", "Head of social statistics", Role.MEMBER, None),
    ("g.lamour@example.org", "Guerda Lamour", "PN", "Commissioner, women and minors unit", Role.MEMBER, None),
    ("e.bastien@example.org", "Edwige Bastien", "RNAF", "Coordinator", Role.MEMBER, None),
    ("y.charles@example.org", "Yolette Charles", "RAJ", "Lawyer", Role.MEMBER, None),
    ("l.moreau@example.org", "Louise Moreau", "UNW", "Programme specialist", Role.MEMBER, None),
    ("k.desir@example.org", "Kettly Désir", "MCF-SE", "Departmental director", Role.MEMBER, None),
    ("t.jean@example.org", "Thérèse Jean", "AFSE", "President", Role.MEMBER, None),
    ("a.florvil@example.org", "Alix Florvil", "OPC", "Deputy protector", Role.MEMBER, None),
]


# The evaluator from the Spanish cooperation reads the portal in Spanish, the justice ministry's
# member in French (English until those catalogues are compiled: pages never claim a language they are not in).
DEMO_LANGUAGES = {"evaluator@example.org": "es", "justice@example.org": "fr"}


@dataclass
class Structure:
    """What the other parts of the demo build on: organisations by acronym, people by e-mail,
    the national committee and its commission on support and treatment."""

    orgs: dict[str, Organisation]
    people: dict[str, User]
    committee: Body
    care: Body


def load_structure() -> Structure:
    """Build the demo structure through the services (so the audit log shows it too)."""
    orgs: dict[str, Organisation] = {}
    for acronym, name, kind, sectors, level in ORGANISATIONS:
        orgs[acronym] = create_organisation(
            {"name": name, "acronym": acronym, "kind": kind, "sectors": sectors, "level": level,
             "email": f"contact@{acronym.lower()}.example.org"},
            actor=None,
        )
    people: dict[str, User] = {}
    for email, name, org, position, role, password in PEOPLE:
        user = User(
            email=email, full_name=name, organisation=orgs[org], position=position, role=role,
            password_hash=hash_password(password) if password else None,
            language=DEMO_LANGUAGES.get(email, "en"),
        )
        db.session.add(user)
        people[email] = user
    db.session.flush()
    # One account logs in with a second factor, to show the code step (key printed by the CLI).
    two_factor = people[TWO_FACTOR_DEMO[0]]
    two_factor.totp_secret = TWO_FACTOR_DEMO[1]
    two_factor.totp_enabled_at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    db.session.flush()

    def body(name, acronym, kind, parent=None, lead=None, level=Level.NATIONAL, area="National",
             visibility=Visibility.INTERNAL, established=date(2005, 11, 25), mandate=""):
        return bodies.create_body(
            {"name": name, "acronym": acronym, "kind": kind, "parent_id": parent.id if parent else None,
             "level": level, "area": area, "mandate": mandate, "established_on": established,
             "status": "active", "lead_organisation_id": orgs[lead or "MCF"].id,
             "secretariat_organisation_id": orgs["MCF"].id, "visibility": visibility,
             "timezone": TIMEZONE},
            actor=None,
        )

    cn = body(
        "National Coordination Committee against Violence against Women", "CN",
        BodyKind.COORDINATION_COMMITTEE,
        mandate="Coordinate the national response to violence against women across ministries, "
        "public institutions, civil society and international partners; steer and monitor the "
        "national plan of action.",
    )
    data = body("Technical Commission on Data Collection", "CT-DATA", BodyKind.TECHNICAL_COMMISSION,
                cn, "INS", established=date(2006, 3, 1))
    care = body("Technical Commission on Support and Treatment", "CT-PEC", BodyKind.TECHNICAL_COMMISSION,
                cn, "MSPP", established=date(2006, 3, 1))
    medical = body("Medical Sub-commission", "SC-MED", BodyKind.SUB_COMMISSION, care, "MSPP",
                   established=date(2007, 1, 15))
    psycho = body("Psychosocial Sub-commission", "SC-PSY", BodyKind.SUB_COMMISSION, care, "MAST",
                  established=date(2007, 1, 15))
    legal = body("Legal Sub-commission", "SC-JUR", BodyKind.SUB_COMMISSION, care, "MJSP",
                 visibility=Visibility.RESTRICTED, established=date(2007, 1, 15))
    comm = body("Technical Commission on Communication and Awareness", "CT-COM",
                BodyKind.TECHNICAL_COMMISSION, cn, "MENFP", established=date(2006, 3, 1))
    table = body("South-East Departmental Coordination Table", "TD-SE", BodyKind.WORKING_GROUP,
                 cn, "MCF-SE", level=Level.DEPARTMENTAL, area="South-East", established=date(2009, 6, 10))

    def seat(b, acronym, kind=MembershipKind.MEMBER, start=date(2005, 11, 25), end=None):
        memberships.add_organisation_membership(
            b, {"organisation_id": orgs[acronym].id, "kind": kind, "start_date": start, "end_date": end},
            actor=None,
        )

    for acronym in ("MCF", "MSPP", "MJSP", "MAST", "MENFP", "MJSAC", "MICT", "INS", "OPC", "PN",
                    "RNAF", "RAJ", "CONAP"):
        seat(cn, acronym)
    seat(cn, "OPM", MembershipKind.OBSERVER)
    for acronym in ("UNW", "UNFPA", "UNICEF", "CANCOOP", "AECID"):
        seat(cn, acronym, MembershipKind.PARTNER, start=date(2006, 1, 1))
    for acronym in ("INS", "MCF", "MSPP", "PN", "MJSP", "UNFPA"):
        seat(data, acronym, start=date(2006, 3, 1))
    for acronym in ("MSPP", "MAST", "MJSP", "RNAF", "RAJ", "UNFPA"):
        seat(care, acronym, start=date(2006, 3, 1))
    for acronym in ("MSPP", "RNAF", "UNFPA"):
        seat(medical, acronym, start=date(2007, 1, 15))
    for acronym in ("MAST", "RNAF", "UNICEF"):
        seat(psycho, acronym, start=date(2007, 1, 15))
    for acronym in ("MJSP", "RAJ", "OPC"):
        seat(legal, acronym, start=date(2007, 1, 15))
    for acronym in ("MENFP", "MJSAC", "MCF", "CONAP", "UNICEF"):
        seat(comm, acronym, start=date(2006, 3, 1))
    for acronym in ("MCF-SE", "AFSE", "PN", "MSPP"):
        seat(table, acronym, start=date(2009, 6, 10))
    # A seat that ended: the youth ministry left the communication commission in 2015.
    memberships.end_membership(comm.organisation_memberships[1], date(2015, 12, 31), actor=None)

    def person(b, email, role=SeatRole.MEMBER, start=date(2019, 1, 1), alternate_for=None):
        return memberships.add_person_membership(
            b, {"user_id": people[email].id, "organisation_id": people[email].organisation_id,
                "role": role, "start_date": start,
                "alternate_for_id": alternate_for.id if alternate_for else None},
            actor=None,
        )

    person(cn, "m.laguerre@example.org", SeatRole.CHAIR)
    person(cn, "secretariat@example.org", SeatRole.SECRETARY)
    health = person(cn, "member@example.org")
    person(cn, "s.joseph@example.org", SeatRole.ALTERNATE, alternate_for=health)
    justice = person(cn, "justice@example.org")
    person(cn, "p.etienne@example.org", SeatRole.ALTERNATE, alternate_for=justice)
    for email in ("r.cadet@example.org", "j.fleurant@example.org", "d.noel@example.org",
                  "g.lamour@example.org", "e.bastien@example.org", "y.charles@example.org",
                  "a.florvil@example.org"):
        person(cn, email)
    person(cn, "l.moreau@example.org", SeatRole.OBSERVER)
    person(data, "d.noel@example.org", SeatRole.CHAIR)
    person(data, "g.lamour@example.org")
    person(care, "member@example.org", SeatRole.CHAIR)
    person(care, "r.cadet@example.org")
    person(care, "e.bastien@example.org")
    person(medical, "member@example.org", SeatRole.CHAIR)
    person(legal, "justice@example.org", SeatRole.CHAIR)
    person(legal, "y.charles@example.org")
    person(table, "k.desir@example.org", SeatRole.CHAIR)
    person(table, "t.jean@example.org")

    # The committee's charter: version 1 adopted in 2006, version 2 adopted in 2019.
    v1 = charters.create_charter(
        cn,
        {"title": "Protocol of agreement establishing the National Coordination Committee",
         "mandate": "Coordinate the actions of the State and civil society against violence "
         "against women.",
         "objectives": "Harmonise interventions; build a national data system; ensure care "
         "for survivors through the health, justice and social sectors.",
         "composition_rule": "One seat per signatory ministry, public institution and national "
         "network; partners sit as non-voting members.",
         "quorum_rule": QuorumRule.MAJORITY, "decision_rule": DecisionRule.CONSENSUS,
         "meeting_frequency": MeetingFrequency.QUARTERLY, "legal_status": LegalStatus.INFORMAL},
        actor=None,
    )
    charters.submit_for_review(v1, actor=None)
    # Adopted only in 2009, after the mid-term evaluation found the committee had no charter.
    charters.adopt_charter(v1, {"adopted_on": date(2009, 6, 10),
                              "adopted_at_meeting": "Ordinary meeting of 10 June 2009"}, actor=None)
    v2 = charters.new_version_from(v1, actor=None)
    charters.update_charter(
        v2,
        {"title": "Terms of reference of the National Coordination Committee",
         "objectives": "Harmonise interventions; build a national data system; ensure care "
         "for survivors through the health, justice and social sectors; monitor the national "
         "plan of action and report on it each year.",
         "meeting_frequency": MeetingFrequency.MONTHLY, "legal_status": LegalStatus.DECREE,
         "quorum_rule": QuorumRule.MAJORITY},
        actor=None,
    )
    charters.submit_for_review(v2, actor=None)
    charters.adopt_charter(v2, {"adopted_on": date(2019, 3, 8),
                              "adopted_at_meeting": "Ordinary meeting of 8 March 2019"}, actor=None)
    signers = {"MCF": "Marie-Carmel Laguerre", "MSPP": "Dr. Jean-Robert Dorval", "MJSP": "Me Fritz Alexis",
               "MAST": "Rose-Andrée Cadet", "MENFP": "Josué Fleurant", "INS": "Daphnée Noël",
               "OPC": "Alix Florvil", "PN": "Guerda Lamour", "RNAF": "Edwige Bastien", "RAJ": "Yolette Charles"}
    for acronym, signer in signers.items():
        charters.add_signatory(v2, {"organisation_id": orgs[acronym].id, "signer_name": signer,
                                  "signed_on": date(2019, 3, 8)}, actor=None)

    return Structure(orgs, people, cn, care)


def load_draft_charter(care: Body) -> None:
    """A draft charter for the support and treatment commission (loaded last)."""
    charters.create_charter(
        care,
        {"title": "Terms of reference of the Technical Commission on Support and Treatment",
         "mandate": "Define and monitor the standards of care offered to survivors by health, "
         "psychosocial and legal services.",
         "objectives": "Adopt a national referral protocol; train providers; follow up the "
         "sub-commissions' work plans.",
         "composition_rule": "Health, social affairs and justice ministries, shelter and legal "
         "aid networks; UNFPA as technical partner.",
         "quorum_rule": QuorumRule.FIXED, "quorum_value": 4, "decision_rule": DecisionRule.SIMPLE_MAJORITY,
         "meeting_frequency": MeetingFrequency.BIMONTHLY, "legal_status": LegalStatus.INFORMAL},
        actor=None,
    )
    db.session.flush()

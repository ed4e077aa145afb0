"""Organisations and their sectors."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.db import TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from coordination.extensions import db

if TYPE_CHECKING:
    from coordination.accounts.models import User


class OrganisationKind(enum.StrEnum):
    MINISTRY = "government_ministry"
    PUBLIC_INSTITUTION = "public_institution"
    CIVIL_SOCIETY = "civil_society"
    INTERNATIONAL_PARTNER = "international_partner"
    UN_AGENCY = "un_agency"
    ACADEMIC = "academic"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])

    @property
    def bloc(self) -> Bloc:
        return BLOC_OF_KIND[self]


class Bloc(enum.StrEnum):
    """The three constituencies whose balance coordination bodies watch.

    Academic and private organisations count with civil society (non-state, national).
    """

    GOVERNMENT = "government"
    CIVIL_SOCIETY = "civil_society"
    INTERNATIONAL = "international"

    @property
    def label(self) -> str:
        return str(BLOC_LABELS[self])


class Sector(enum.StrEnum):
    HEALTH = "health"
    JUSTICE = "justice"
    SOCIAL_PROTECTION = "social_protection"
    GENDER = "gender"
    SECURITY = "security"
    EDUCATION = "education"
    LOCAL_GOVERNMENT = "local_government"
    PRESIDENCY = "presidency"
    STATISTICS = "statistics"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


class Level(enum.StrEnum):
    NATIONAL = "national"
    DEPARTMENTAL = "departmental"
    LOCAL = "local"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


KIND_LABELS = {
    OrganisationKind.MINISTRY: _l("Government ministry"),
    OrganisationKind.PUBLIC_INSTITUTION: _l("Public institution"),
    OrganisationKind.CIVIL_SOCIETY: _l("Civil society"),
    OrganisationKind.INTERNATIONAL_PARTNER: _l("International partner / donor"),
    OrganisationKind.UN_AGENCY: _l("UN agency"),
    OrganisationKind.ACADEMIC: _l("Academic"),
    OrganisationKind.PRIVATE: _l("Private sector"),
}
BLOC_OF_KIND = {
    OrganisationKind.MINISTRY: Bloc.GOVERNMENT,
    OrganisationKind.PUBLIC_INSTITUTION: Bloc.GOVERNMENT,
    OrganisationKind.CIVIL_SOCIETY: Bloc.CIVIL_SOCIETY,
    OrganisationKind.ACADEMIC: Bloc.CIVIL_SOCIETY,
    OrganisationKind.PRIVATE: Bloc.CIVIL_SOCIETY,
    OrganisationKind.INTERNATIONAL_PARTNER: Bloc.INTERNATIONAL,
    OrganisationKind.UN_AGENCY: Bloc.INTERNATIONAL,
}
BLOC_LABELS = {
    Bloc.GOVERNMENT: _l("Government"),
    Bloc.CIVIL_SOCIETY: _l("Civil society"),
    Bloc.INTERNATIONAL: _l("International partners"),
}
SECTOR_LABELS = {
    Sector.HEALTH: _l("Health"),
    Sector.JUSTICE: _l("Justice"),
    Sector.SOCIAL_PROTECTION: _l("Social protection"),
    Sector.GENDER: _l("Gender / women's affairs"),
    Sector.SECURITY: _l("Security / police"),
    Sector.EDUCATION: _l("Education"),
    Sector.LOCAL_GOVERNMENT: _l("Local government"),
    Sector.PRESIDENCY: _l("Presidency / cabinet"),
    Sector.STATISTICS: _l("Statistics"),
    Sector.OTHER: _l("Other"),
}
LEVEL_LABELS = {
    Level.NATIONAL: _l("National"),
    Level.DEPARTMENTAL: _l("Departmental / regional"),
    Level.LOCAL: _l("Local"),
}


class Organisation(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __audit_type__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    acronym: Mapped[str] = mapped_column(sa.String(30), default="", index=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level), default=Level.NATIONAL, index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    address: Mapped[str] = mapped_column(sa.Text, default="")
    contact_person: Mapped[str] = mapped_column(sa.String(200), default="")
    # Moved by database triggers on every write to an action item the organisation leads or to
    # its progress reports (migration 7b1e0c4d9a20); read by the personal calendar feed's
    # validator, never written by the application.
    deadline_version: Mapped[int] = mapped_column(default=0, server_default="0")
    deadline_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sector_links: Mapped[list[OrganisationSector]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationSector.sector"
    )
    people: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def sectors(self) -> list[Sector]:
        return [link.sector for link in self.sector_links]

    @property
    def bloc(self) -> Bloc:
        return self.kind.bloc

    @property
    def short_name(self) -> str:
        return self.acronym or self.name

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class OrganisationSector(db.Model):
    __tablename__ = "organisation_sectors"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="sector_links")

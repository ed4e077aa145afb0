"""Meetings: scheduling and series, agendas, invitations, attendance, minutes and decisions."""

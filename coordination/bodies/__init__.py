"""Coordination bodies, their memberships and charters."""

"""Seats: organisations and people on coordination bodies, with their history."""

"""Browsing the audit log."""

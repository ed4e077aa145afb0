"""Evaluations of action plans: figures as of a date, findings, recommendations, governance health."""

"""The landing page, per role."""

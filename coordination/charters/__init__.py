"""Charters: versioned terms of reference, their adoption and signatures."""

"""Member organisations: ministries, institutions, civil society, partners."""

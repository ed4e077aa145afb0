"""Pure export functions: domain objects in, bytes out (no request, no access checks)."""

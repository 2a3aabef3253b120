"""Models of the triage app."""

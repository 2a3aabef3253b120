"""The scoring engine: rules.py (pure), inputs.py (set-based reads), services.py (the writes)."""

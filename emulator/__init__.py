"""Emulator of the manufacturer dealer portal (the server side of shared/portal-api)."""

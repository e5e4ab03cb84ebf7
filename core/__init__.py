"""Shared kernel: settings, database engine and base, domain errors, audit log, idempotency."""

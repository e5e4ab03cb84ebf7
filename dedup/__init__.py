"""Dedup: one member, one SHG nationwide (normalisation, blocking, matching, review).
Empty until the dedup issue lands."""

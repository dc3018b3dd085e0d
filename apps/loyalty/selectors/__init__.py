"""Reads for loyalty; each area has its own module (members, segments, ...)."""

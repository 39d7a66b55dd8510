"""Shared test helpers: a real queue server on loopback."""

"""Shared test helpers (clock, in-process and real servers, fake printers, pages); fixtures via pytest_plugins."""

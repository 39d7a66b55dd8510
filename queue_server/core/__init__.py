"""The queue rules in plain Python: no clock, database, file, network or logging.

Adapters (the Flask API, the SQLite store, kiosk, display, printers) call
these functions with the state, the office and ``now``.
"""

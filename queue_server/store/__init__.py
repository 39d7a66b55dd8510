"""SQLite storage of the queue: schema, connections, state loading and persistence."""

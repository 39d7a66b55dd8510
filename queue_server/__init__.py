"""motcua's queue server: the single source of truth of a one-stop office's queue."""

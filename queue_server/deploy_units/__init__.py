"""systemd unit templates of ``motcua service install`` (``{{name}}`` placeholders, see queue_server/service_cli.py)."""

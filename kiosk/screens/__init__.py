"""One module and one .kv file per kiosk screen."""

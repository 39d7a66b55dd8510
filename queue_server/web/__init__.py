"""The queue server's HTTP side: the JSON API, the live feed and the web pages."""

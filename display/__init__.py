"""The lobby display client: board, voice calls and camera overlays."""

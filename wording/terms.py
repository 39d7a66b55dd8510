"""The few nouns every text shares."""

from __future__ import annotations

TICKET = "phiếu"
"""The paper a citizen holds ("phiếu số thứ tự"); never "vé", which is a train ticket."""

ADDRESS = "quý khách"
"""How the office addresses the citizen on paper, screens and voice (capitalise at a sentence start)."""

CALLED_PERSON = "công dân"
"""Who the lobby call invites: "Xin mời công dân có số thứ tự …"."""

"""Priority groups (Luật Người cao tuổi, Luật Người khuyết tật, …) as citizens read them."""

from __future__ import annotations

from collections.abc import Mapping

PRIORITY_LABELS: Mapping[str, str] = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai / có con nhỏ",
    "merit": "Người có công",
    "appointment": "Có hẹn trước",
}
"""API priority codes (docs/api.md): the one list a new group is added to."""

GENERIC = "Ưu tiên"


def priority_label(code: str | None, office_labels: Mapping[str, str] | None = None) -> str:
    """The group's name ('' for a normal ticket): the office's own wording first, then ours."""
    if not code:
        return ""
    if office_labels and office_labels.get(code):
        return office_labels[code]
    return PRIORITY_LABELS.get(code, GENERIC)

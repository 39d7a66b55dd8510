"""The media playlist: order, timing, missing files and PDFs."""

from __future__ import annotations

import shutil

from display.media import Playlist, Slide, expand_playlist
from queue_server.display_settings import MediaItem


def test_the_playlist_cycles_by_each_slides_own_duration(tmp_path):
    slides = (Slide(tmp_path / "a.png", "image", 10), Slide(tmp_path / "b.mp4", "video", 20))
    playlist = Playlist(slides)
    assert playlist.start(0.0).path.name == "a.png"
    assert not playlist.due(9.9) and playlist.due(10.0)
    assert playlist.advance(10.0).path.name == "b.mp4"
    assert not playlist.due(29.9) and playlist.due(30.0)
    assert playlist.advance(30.0).path.name == "a.png"


def test_missing_files_are_skipped_not_shown(tmp_path, caplog):
    (tmp_path / "a.png").write_bytes(b"x")
    slides = expand_playlist((MediaItem(tmp_path / "a.png", "image"), MediaItem(tmp_path / "gone.png", "image")))
    assert [s.path.name for s in slides] == ["a.png"]
    assert "gone.png" in caplog.text


def test_pdf_pages_need_pdftoppm_else_the_pdf_is_skipped_with_a_log_line(tmp_path, caplog):
    pdf = tmp_path / "thu-tuc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    slides = expand_playlist((MediaItem(pdf, "pdf"),), tmp_path / "cache")
    if shutil.which("pdftoppm") is None:
        assert slides == () and "pdftoppm" in caplog.text
    else:  # an empty PDF renders no page either way
        assert all(s.kind == "image" for s in slides)


def test_an_empty_playlist_is_falsy():
    assert not Playlist(())

"""The [display] section: sample offices load, mistakes name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from queue_server.display_settings import load_display_config, parse_display_section

CONFIG = Path(__file__).resolve().parents[2] / "config"
COUNTERS = (1, 2, 3, 4, 5)


def test_the_commune_has_two_screens_with_media_and_a_ticker():
    display = load_display_config(load_config(CONFIG / "commune.toml"))
    assert [s.orientation for s in display.screens] == ["landscape", "portrait"]
    assert display.ticker and all(item.path.exists() for item in display.media)
    assert display.voice.rate == 0.8 and display.voice.repeat == 2


def test_the_province_has_eight_screens_with_zones():
    display = load_display_config(load_config(CONFIG / "province.toml"))
    assert len(display.screens) == 8
    assert display.screen("khu-d").counters == (13, 14, 15, 16, 17)
    assert display.screen(None).name == "sanh-1"


def test_an_absent_section_gives_one_screen_showing_everything():
    display = parse_display_section({}, "x.toml", COUNTERS)
    assert display.screen(None).counters == () and display.voice.number_reading == "digits"


@pytest.mark.parametrize("raw, key, hint", [
    ({"screens": [{"name": "a", "counters": [9]}]}, "display.screens[0].counters", "unknown counter 9"),
    ({"screens": [{"name": "a", "orientation": "sideways"}]}, "display.screens[0].orientation", "portrait"),
    ({"voice": {"number_reading": "words"}}, "display.voice.number_reading", "digits"),
    ({"voice": {"rate": 5}}, "display.voice.rate", "0.8"),
    ({"media": [{"file": "x.docx"}]}, "display.media[0].file", ".png"),
    ({"cameras": [{"counter": 7, "source": "usb:0"}]}, "display.cameras[0].counter", "unknown counter 7"),
    ({"colour": "red"}, "display.colour", "valid keys"),
    ({"screens": [{"name": "a"}, {"name": "a"}]}, "display.screens", "own name"),
])
def test_mistakes_name_the_key_and_the_fix(raw, key, hint):
    with pytest.raises(ConfigError) as caught:
        parse_display_section(raw, "office.toml", COUNTERS)
    assert caught.value.key == key and hint in caught.value.message


def test_an_unknown_screen_name_lists_the_known_ones():
    display = load_display_config(load_config(CONFIG / "commune.toml"))
    with pytest.raises(ConfigError, match="sanh-chinh, cua-vao"):
        display.screen("tang-3")


def test_relative_media_and_camera_files_are_next_to_the_office_file(tmp_path):
    display = parse_display_section({"media": [{"file": "slides/a.png"}],
                                     "cameras": [{"counter": 1, "source": "cam1.mp4"}]},
                                    tmp_path / "office.toml", COUNTERS)
    assert display.media[0].path == tmp_path / "slides" / "a.png"
    assert display.camera(1).source == str(tmp_path / "cam1.mp4")


def test_a_copy_of_an_office_file_keeps_showing_the_originals_media(tmp_path):
    from tests.support.servers import office_config

    display = load_display_config(load_config(office_config(tmp_path)))
    assert display.media and all(item.path.parent == CONFIG.resolve() / "media" for item in display.media)
    assert all(item.path.exists() for item in display.media)

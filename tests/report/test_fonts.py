"""mailbot/templates/fonts.conf maps the fonts Chinese offices name to the free fonts
Debian ships, as fontconfig itself resolves them (fc-match)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from mailbot.extract.soffice import FONTS_CONF
from tests.tools import require

MAPPED = {
    "仿宋_GB2312": "LXGW WenKai:Regular", "仿宋": "LXGW WenKai:Regular",
    "楷体_GB2312": "LXGW WenKai:Regular",
    "方正小标宋简体": "Noto Serif CJK SC:Bold", "小标宋": "Noto Serif CJK SC:Bold",
    "宋体": "Noto Serif CJK SC:Regular", "黑体": "Noto Sans CJK SC:Regular",
}


@pytest.mark.parametrize("office_font", sorted(MAPPED))
def test_office_fonts_resolve_to_their_free_stand_ins(office_font):
    require(shutil.which("fc-match"), "fontconfig is not installed (apt-get install fontconfig)")
    result = subprocess.run(["fc-match", "-f", "%{family[0]}:%{style[0]}", office_font],
                            env=dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF)),
                            capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout == MAPPED[office_font], (office_font, result.stdout, result.stderr)

"""Text normalisers shared by the form reader (pure).

Cell text arrives from Word, WPS and PDF text layers with every kind of
whitespace, full-width form and quote mark; comparisons need one canonical
form, while progress text keeps its own punctuation and only loses noise.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200b\ufeff]+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_SEQ = re.compile(r"^[（(]?\s*([0-9]+|[零〇一二两三四五六七八九十]+)\s*[)）]?\s*[、.．,，:：]?$")


def clean_lines(text: str) -> str:
    """Whitespace-normalise a cell: lines stripped, runs of spaces collapsed, blank lines dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def key(text: str) -> str:
    """Comparison key: NFKC (full-width forms), no whitespace, punctuation or quote marks."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


def parse_seq(text: str) -> int | None:
    """序号 as 1, １, 一, "一、", "(3)", "十一"; None when the cell is no number."""
    flat = unicodedata.normalize("NFKC", text).strip()
    match = _SEQ.match(flat)
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    return _chinese_number(token)


def _chinese_number(token: str) -> int | None:
    if "十" not in token:
        return _CN_DIGITS[token] if len(token) == 1 else None
    tens, _, units = token.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)

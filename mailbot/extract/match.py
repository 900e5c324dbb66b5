"""Match a form row's 序号/实事名称 to a campaign item and its 责任单位 to units (pure).

Units renumber their rows when they send only their own, and reword titles
slightly, so a recognised title outranks the number; a conflict between the
two is reported, never silently resolved.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

from mailbot.extract.text import key, parse_seq
from mailbot.core.models import Campaign, Item

FUZZY_MIN = 0.6
CONTAIN_MIN = 4
AMBIGUOUS = 0.05          # two items this close in score: the title does not decide
SHORTENED_PENALTY = 0.15  # a shortened title: share of its characters found in order, less this
UNIT_SEPARATORS = "\n、，,;；/ 　"


def title_match(title: str, campaign: Campaign) -> Item | None:
    """The item a title names: exact after normalising, contained, a close rewording, or
    a shortening that keeps most of its characters in order; None when two items fit
    about equally well (the 序号 decides then)."""
    wanted = key(title)
    if not wanted:
        return None
    scored = sorted(((_similarity(wanted, key(item.title)), item) for item in campaign.items),
                    key=lambda pair: pair[0], reverse=True)
    (best, item), (second, _) = scored[0], scored[1] if len(scored) > 1 else (0.0, None)
    if best < FUZZY_MIN or (best < 1.0 and best - second < AMBIGUOUS):
        return None
    return item


def _similarity(wanted: str, have: str) -> float:
    if wanted == have:
        return 1.0
    if min(len(wanted), len(have)) >= CONTAIN_MIN and (wanted in have or have in wanted):
        return 0.99
    matcher = SequenceMatcher(None, wanted, have, autojunk=False)
    ratio = matcher.ratio()
    if len(wanted) < CONTAIN_MIN:
        return ratio
    kept = sum(block.size for block in matcher.get_matching_blocks()) / len(wanted)
    return max(ratio, kept - SHORTENED_PENALTY)


def _item_by_seq(seq: int | None, campaign: Campaign) -> Item | None:
    return next((item for item in campaign.items if item.seq == seq), None)


def match_item(seq_text: str, title: str, campaign: Campaign) -> tuple[Item | None, str | None]:
    """(item, warning): the title wins over 序号; either alone is enough."""
    by_title = title_match(title, campaign)
    by_seq = _item_by_seq(parse_seq(seq_text), campaign) if seq_text else None
    if by_title and by_seq and by_title is not by_seq:
        return by_title, (f"序号 {seq_text} 对应第 {by_seq.seq} 项（{by_seq.title}），"
                          f"但实事名称“{title}”是第 {by_title.seq} 项，按第 {by_title.seq} 项读取")
    if by_title or by_seq:
        warning = None
        if by_seq and not by_title and key(title):
            warning = (f"未能识别实事名称“{title}”，按序号 {seq_text} 读作第 {by_seq.seq} 项"
                       f"（{by_seq.title}）")
        return by_title or by_seq, warning
    return None, f"未能对应到任何一项实事（序号“{seq_text}”，实事名称“{title}”），未读取"


def _unit_core(name: str) -> str:
    """A unit name without the district prefix: 区妇联 -> 妇联."""
    return name[1:] if name.startswith("区") and len(name) > 2 else name


def _district(prefix: str) -> bool:
    """A district's name before a unit's core name (淄川区, 淄博市淄川区), no other unit."""
    return prefix.endswith("区") and prefix.count("区") == 1 and len(prefix) <= 6


def unit_named(token: str, campaign: Campaign) -> str | None:
    """The unit a token names: 区妇联, 妇联 and 淄川区妇联 all name 区妇联."""
    flat = key(token)
    if not flat:
        return None
    for unit, name, core in _name_keys(campaign):
        if flat == name or flat == core:
            return unit
        if len(core) >= 2 and flat.endswith(core) and _district(flat[:-len(core)]):
            return unit
    return None


@lru_cache(maxsize=8)
def _name_keys(campaign: Campaign) -> tuple[tuple[str, str, str], ...]:
    """(unit, key of a name, key of its core) of every unit's names, in order: a cell's
    text is split into many tokens, and each is compared with every name."""
    return tuple((unit.name, key(name), key(_unit_core(name))) for unit in campaign.units
                 for name in (unit.name, *unit.aliases))


def match_units(text: str, campaign: Campaign) -> tuple[str, ...]:
    """Every configured unit named in a 责任单位 cell, in order, without repeats; a name
    broken over two lines (区人才发展中 / 心, as a page break leaves it) is put together."""
    return split_units(text, campaign)[0]


def split_units(text: str, campaign: Campaign) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the units a cell names, the pieces of it that name no unit)."""
    for separator in UNIT_SEPARATORS:
        text = text.replace(separator, "\n")
    tokens = [token for token in text.split("\n") if token]
    found: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(tokens):
        name = unit_named(tokens[index], campaign)
        if name is None and index + 1 < len(tokens):
            name = unit_named(tokens[index] + tokens[index + 1], campaign)
            index += name is not None
        names = [name] if name else _names_inside(tokens[index], campaign)
        if not names:
            rest.append(tokens[index])
        found.extend(name for name in names if name not in found)
        index += 1
    return tuple(found), tuple(rest)


def _names_inside(token: str, campaign: Campaign) -> list[str]:
    """Full names written one after another with nothing between (淄川区卫生健康局淄川区妇女
    联合会): the units, when the names cover the whole token."""
    spans: list[tuple[int, int, str]] = []
    flat = key(token)
    names = _full_names(campaign)
    covered = [False] * len(flat)
    for name, unit in names:
        start = flat.find(name)
        while start >= 0:
            if not any(covered[start:start + len(name)]):
                covered[start:start + len(name)] = [True] * len(name)
                spans.append((start, start + len(name), unit))
            start = flat.find(name, start + 1)
    if not spans or not all(covered):
        return []
    return list(dict.fromkeys(unit for _, _, unit in sorted(spans)))


@lru_cache(maxsize=8)
def _full_names(campaign: Campaign) -> tuple[tuple[str, str], ...]:
    """(key of a name of three characters or more, unit), the longest first."""
    return tuple(sorted(((key(name), unit.name) for unit in campaign.units
                         for name in (unit.name, *unit.aliases) if len(name) >= 3),
                        key=lambda pair: len(pair[0]), reverse=True))

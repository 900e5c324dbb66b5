"""CampaignDraft + the default config.toml -> the campaign's config.toml text.

The default file's comments and settings stay (tomlkit keeps them); only what the
notice says is replaced: the campaign, the federation, the quarters, the form's
columns, the units and the items. Units get placeholder addresses in the reserved
.invalid domain, which nothing delivers to and `mailbot check` flags; what the
notice reader could not read heads the file as comments.
"""

from __future__ import annotations

import tomlkit
from tomlkit.items import AoT

from mailbot.campaign.draft import CampaignDraft

PLACEHOLDER_DOMAIN = "example.invalid"


def placeholder_address(index: int) -> str:
    return f"unit{index:02d}@{PLACEHOLDER_DOMAIN}"


def campaign_toml(draft: CampaignDraft, default_text: str) -> str:
    doc = tomlkit.parse(_without_header(default_text))
    doc["campaign"]["title"] = draft.form_title
    federation = doc["federation"]
    federation["name"] = draft.federation
    federation["contact"] = draft.contact
    federation["phone"] = draft.phone
    federation["emails"] = [f"federation@{PLACEHOLDER_DOMAIN}"]
    doc["quarters"] = _quarters(draft)
    doc["form"]["columns"] = list(draft.columns)
    doc["units"] = _array([{"name": unit, "emails": [placeholder_address(i)]}
                           for i, unit in enumerate(draft.units, start=1)])
    doc["items"] = _array([{"seq": item.seq, "title": item.title, "units": list(item.units),
                            "deadline": item.deadline} for item in draft.items])
    return _header(draft) + tomlkit.dumps(doc)


def _without_header(text: str) -> str:
    """The default file minus its opening comment block (the header is rewritten)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:])


def _header(draft: CampaignDraft) -> str:
    lines = [f"# mailbot configuration: the campaign of {draft.document_number or 'the notice'}",
             f"# {draft.notice_title}" if draft.notice_title else "",
             "# Written by `mailbot init --notice`. Unit addresses are placeholders",
             f"# (@{PLACEHOLDER_DOMAIN}): replace them with the units' real ones.",
             "# Relative paths are relative to this file. Secrets never live here: the",
             "# password is read from the environment variable that password_env names."]
    if draft.unread:
        lines.append("#")
        lines.append("# 以下内容未能从通知中读出，请核对后手工填写：")
        for unread in draft.unread:
            lines.append(f"#   - {unread.problem}" + (f"：{unread.line}" if unread.line else ""))
    return "\n".join(line for line in lines if line) + "\n"


def _quarters(draft: CampaignDraft):
    table = tomlkit.table()
    table.add(tomlkit.comment("the last day on which a quarter's report counts as on time: "
                              "a date, or a rule"))
    table.add(tomlkit.comment('counted from the quarter\'s last day: "10 workdays after end"'))
    for name, due in draft.quarters:
        table[name] = due
    return table


def _array(entries: list[dict]) -> AoT:
    array = tomlkit.aot()
    for entry in entries:
        table = tomlkit.table()
        table.update(entry)
        array.append(table)
    return array

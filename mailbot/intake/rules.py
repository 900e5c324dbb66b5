"""Message -> Submission | Ignored | Held, with the reason (pure).

Which unit: the sender's registered address; a mail that names a unit (in its
subject, filenames or the form's own cells) from an unregistered address is held
for review, never silently counted. A federation address forwarding a unit's
mail as an attachment (message/rfc822) counts for the unit that sent the
original. Which quarter: words in the subject, filenames or body (第三季度, 三季度,
Q3, 7-9月...), else the date against the quarters' reporting windows. What the
trusted mail server said (Authentication-Results) can hold a mail; what any
other server said is ignored (RFC 8601 §7.1).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from mailbot.core.models import (Attachment, Campaign, Decision, Extraction, Held, HeldReason,
                                 Ignored, IgnoredReason, Message, Quarter, Submission, Unit)
from mailbot.intake.worth import (about_campaign, likely_report, photos_in_reply, replies_to_us,
                                  report_files)

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
             "１": 1, "２": 2, "３": 3, "４": 4}
QUARTER_WORDS = re.compile(r"(?:第)?([一二三四1-4１-４])\s*季度|[Qq]\s*([1-4])(?![0-9])")
MONTH_RANGE = re.compile(r"(\d{1,2})\s*(?:-|－|—|–|~|～|至|到)\s*(\d{1,2})\s*月")
YEAR = re.compile(r"(20\d\d)\s*年?")
FIRST_MONTHS = {1: 1, 4: 2, 7: 3, 10: 4}
# A report is usually sent in the last month of its quarter or soon after.
WINDOW_BEFORE_END = timedelta(days=31)


FORWARD_MARKS = re.compile(r"^\s*(?:fwd?|转发)\s*[:：]|原始邮件|original message|转发的邮件",
                           re.IGNORECASE | re.MULTILINE)
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")


def decide(campaign: Campaign, message: Message, automatic: str | None, received: datetime,
           trusted: tuple[str, ...] = (),
           extractions: tuple[Extraction, ...] = ()) -> Decision:
    """Attribute a parsed mail; `automatic` is the reason it is machine mail, if it is.

    `trusted` are the authserv-ids whose Authentication-Results count; `extractions`
    (optional) are the mail's files as read, for naming a unit by the form's cells.
    """
    if automatic and not _unit_report(campaign, message):
        return Ignored(IgnoredReason.AUTOMATIC, automatic)
    if message.from_addr in campaign.federation_emails or original_of(campaign, message):
        return _forwarded(campaign, message, received, trusted)
    unit = unit_by_address(campaign, message.from_addr)
    quarter = quarter_of(campaign, message, received)
    attachments = files_of(message)
    likely = likely_report(message, attachments, extractions)
    if unit is None and not (likely and about_campaign(message)):
        named = unit_in_rows(campaign, extractions)  # mail merely about a unit names none
    else:
        named = unit or unit_named_in(campaign, message) or unit_in_rows(campaign, extractions)
    where = {"unit": named.name if named else None, "quarter": quarter.name if quarter else None}
    if named and authentication_failed(message, trusted):
        return Held(HeldReason.AUTH_FAILED, **where)
    if unit is None:
        if named is None:
            return Ignored(IgnoredReason.NAMES_NO_UNIT, f"sender {message.from_addr or '(none)'}")
        return Held(HeldReason.UNREGISTERED, **where)
    if not likely and (replies_to_us(message) or not about_campaign(message)):
        return Ignored(IgnoredReason.NOT_FOR_US)  # "收到，谢谢", photos, a meeting notice
    if quarter is None:
        return Held(HeldReason.NO_QUARTER, unit=unit.name)
    if not attachments:
        return Held(HeldReason.LINKED_ONLY if message.linked else HeldReason.NO_ATTACHMENT,
                    **where)
    if any(is_winmail(a) for a in attachments):
        return Held(HeldReason.WINMAIL, **where)
    return Submission(unit=unit.name, quarter=quarter.name, attachments=attachments)


def _unit_report(campaign: Campaign, message: Message) -> bool:
    """A registered unit's address with report files: scan-to-mail copiers and OA systems
    mark their mail automatic, yet it is the unit's report, recorded (never answered)."""
    return (unit_by_address(campaign, message.from_addr) is not None
            and report_files(files_of(message)))


def _forwarded(campaign: Campaign, message: Message, received: datetime,
               trusted: tuple[str, ...]) -> Decision:
    """Mail from the federation's own address counts only as a unit's forwarded original;
    so does a unit's original forwarded from another registered address."""
    original = original_of(campaign, message)
    if authentication_failed(message, trusted):
        return Held(HeldReason.AUTH_FAILED)
    if original is not None:
        decision = decide(campaign, original, None, received, trusted)
        if isinstance(decision, Submission):
            return Submission(decision.unit, decision.quarter, decision.attachments,
                              notes=(f"forwarded by {message.from_addr}",))
        return decision
    named = unit_named_in(campaign, message)
    quarter = quarter_of(campaign, message, received)
    where = {"unit": named.name if named else None, "quarter": quarter.name if quarter else None}
    if message.forwarded:
        return Held(HeldReason.FORWARD_NOT_FROM_UNIT, **where)
    if named or FORWARD_MARKS.search(f"{message.subject}\n{message.text[:4000]}"):
        return Held(HeldReason.FORWARD_WITHOUT_ORIGINAL, **where)
    return Ignored(IgnoredReason.FEDERATION_OWN, message.from_addr)


def read_before_deciding(decision, message: Message) -> bool:
    """True when reading the files might still change the decision: the form's own cells
    may name the unit, or a reply to our mail brings photos that may be its stamped form."""
    if not isinstance(decision, Ignored):
        return False
    return decision.why is IgnoredReason.NAMES_NO_UNIT or (
        decision.why is IgnoredReason.NOT_FOR_US and photos_in_reply(message, files_of(message)))


def files_of(message: Message) -> tuple[Attachment, ...]:
    """The mail's files; for a unit forwarding its own earlier mail, the files inside."""
    return message.attachments or tuple(
        a for inner in message.forwarded for a in inner.attachments)


def original_of(campaign: Campaign, message: Message) -> Message | None:
    """A unit's original mail (message/rfc822) forwarded from a registered address.

    From the federation's address: any unit's original. From a unit's address (区妇联
    is a reporting unit too): another unit's original; a unit forwarding its own
    earlier mail stays its own submission."""
    forwarder = unit_by_address(campaign, message.from_addr)
    if forwarder is None and message.from_addr not in campaign.federation_emails:
        return None
    for inner in message.forwarded:
        sender = unit_by_address(campaign, inner.from_addr)
        if sender is not None and sender != forwarder:
            return inner
    return None


def is_winmail(attachment: Attachment) -> bool:
    return (attachment.filename.lower() == "winmail.dat"
            or attachment.content_type.lower() in TNEF_TYPES)


def authentication_failed(message: Message, trusted: tuple[str, ...]) -> bool:
    """The trusted server's results do not vouch for the domain mailbot attributes.

    Only the receiving server we trust adds a header the sender cannot forge
    (RFC 8601 §7.1): results claimed by any other authserv-id are ignored. Where the
    trusted server reported at all, it must have found dmarc=pass for the From domain
    (header.from), or a DKIM signature (header.d) or SPF (smtp.mailfrom) passing for
    that domain: a `pass` for evil.example says nothing about the unit's domain.
    """
    results = _trusted_results(message, trusted)
    return bool(results) and not _vouch(results, message.from_addr)


def verified(campaign: Campaign, message: Message, trusted: tuple[str, ...]) -> bool:
    """The sender is who the mail says: a registered unit address, and where a trusted
    server is configured, its results vouch for the domain. Only such mail is quoted
    back (its subject, its file names): anything else may be a stranger's text."""
    if unit_by_address(campaign, message.from_addr) is None:
        return False
    return not trusted or _vouch(_trusted_results(message, trusted), message.from_addr)


def _trusted_results(message: Message, trusted: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    wanted = {server.lower() for server in trusted}
    return [result for name, value in message.headers
            if name.lower() == "authentication-results"
            for server, found in [parse_authentication_results(value)] if server in wanted
            for result in found]


def _vouch(results: list[tuple[str, str, dict]], address: str) -> bool:
    domain = address.rpartition("@")[2]
    if any(method == "dmarc" and outcome == "fail" for method, outcome, _ in results):
        return False
    return any(outcome == "pass" and _aligned(props.get(PROPERTY[method], ""), domain)
               for method, outcome, props in results if method in PROPERTY)


PROPERTY = {"dmarc": "header.from", "dkim": "header.d", "spf": "smtp.mailfrom"}


def _aligned(checked: str, domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1): the checked domain is the From domain, or one
    is a subdomain of the other."""
    checked = checked.rpartition("@")[2].strip().lower().rstrip(".")
    return bool(domain) and bool(checked) and (
        checked == domain or checked.endswith("." + domain) or domain.endswith("." + checked))


def parse_authentication_results(value: str) -> tuple[str, list[tuple[str, str, dict]]]:
    """("authserv-id", [(method, result, {ptype.property: value}), ...]) from one
    header (RFC 8601 §2.2)."""
    text = re.sub(r"\([^()]*\)", " ", value)  # CFWS comments
    server, _, rest = text.partition(";")
    server_id = (server.split() or [""])[0].lower()
    found = []
    for resinfo in rest.split(";"):
        match = re.match(r"\s*([A-Za-z][\w.-]*)\s*=\s*([A-Za-z]+)(.*)", resinfo, re.DOTALL)
        if match:
            props = {key.lower(): val.strip('"').lower() for key, val in
                     re.findall(r"([A-Za-z][\w-]*\.[A-Za-z][\w-]*)\s*=\s*(\S+)", match[3])}
            found.append((match[1].lower(), match[2].lower(), props))
    return server_id, found


def unit_by_address(campaign: Campaign, address: str) -> Unit | None:
    address = address.strip().lower()
    for unit in campaign.units:
        if address in unit.emails:
            return unit
    return None


def unit_named_in(campaign: Campaign, message: Message) -> Unit | None:
    """The unit a mail names in its subject or filenames (longest name wins)."""
    text = " ".join([message.subject, message.from_name]
                    + [attachment.filename for attachment in message.attachments])
    best: tuple[int, Unit] | None = None
    for unit in campaign.units:
        for name in (unit.name, *unit.aliases):
            if name and name in text and (best is None or len(name) > best[0]):
                best = (len(name), unit)
    return best[1] if best else None


def unit_in_rows(campaign: Campaign, extractions: tuple[Extraction, ...]) -> Unit | None:
    """The one unit the form's filled rows name: a row's own unit cell, else the single
    unit responsible for every filled item (a whole form lists all units per item)."""
    rows = [row for extraction in extractions for row in extraction.rows]
    own = {row.unit for row in rows if row.unit}
    if not own and rows:
        own = set.intersection(*(set(row.units) for row in rows))
    names = {unit.name: unit for unit in campaign.units}
    matches = [names[name] for name in own if name in names]
    return matches[0] if len(matches) == 1 else None


def quarter_of(campaign: Campaign, message: Message, received: datetime) -> Quarter | None:
    """The quarter named in the mail, else the one whose reporting window holds the date."""
    texts = [message.subject, *(a.filename for a in message.attachments), message.text[:2000]]
    year = _year_named(texts) or received.year
    for text in texts:
        number = quarter_number(text)
        if number:
            return _find(campaign, f"{year}Q{number}")
    return quarter_by_date(campaign, received.date())


def quarter_number(text: str) -> int | None:
    """1..4 from words like 第三季度, 3季度, Q3, 7-9月, 7至9月; None if absent."""
    match = QUARTER_WORDS.search(text)
    if match:
        return CN_DIGITS[match[1]] if match[1] else int(match[2])
    for start, end in MONTH_RANGE.findall(text):
        if int(start) in FIRST_MONTHS and int(end) == int(start) + 2:
            return FIRST_MONTHS[int(start)]
    return None


def quarter_by_date(campaign: Campaign, day: date) -> Quarter | None:
    """The latest quarter whose reporting window (a month before its end) has begun."""
    candidates = [q for q in campaign.quarters if q.end - WINDOW_BEFORE_END <= day]
    return candidates[-1] if candidates else None


def default_since(campaign: Campaign, day: date) -> date:
    """Where a mailbox with no `[mailbox] since` starts: the opening of the reporting
    window being collected on the first start's `day` (the first window if none has
    opened yet), so no older office mail is ever answered."""
    found = quarter_by_date(campaign, day) or campaign.quarters[0]
    return found.end - WINDOW_BEFORE_END


def _year_named(texts: list[str]) -> int | None:
    for text in texts[:2]:
        match = YEAR.search(text)
        if match:
            return int(match[1])
    return None


def _find(campaign: Campaign, name: str) -> Quarter | None:
    try:
        return campaign.quarter(name)
    except KeyError:
        return None

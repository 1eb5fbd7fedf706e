"""Who gives an amount to whom: "A pays B £5m", "A gives £5m to B" and "B receives £5m from A" tell one
transfer, from A to B, with different verbs and word orders.

The frame reader compares participants of one verb; a transfer told with the converse verb ("the council
gives the theatre" for "the theatre receives from the council") or with the other party first is read
here as (giver, recipient), so that a claim with the two turned round is caught whatever verb it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapress.generate.grounding import numbers, polarity

_GIVE = (
    r"(?:give|gives|gave|given|giving|pay|pays|paid|paying|lend|lends|lent|lending|send|sends|sent"
    r"|grant|grants|granted|award|awards|awarded|donate|donates|donated|owe|owes|owed)"
)
_GET = (
    r"(?:receive|receives|received|receiving|get|gets|got|borrow|borrows|borrowed|collect|collects|collected)"
)
_AMOUNT = r"(?:(?:about|around|some|roughly|nearly|almost|over|more\s+than)\s+)?[£$€¥]\s?\d[\d,.]*(?:\s?(?:bn|m|k|million|billion|thousand)\b)?"
_AUX = r"(?:(?:will|would|could|may|might|must|has|have|had|also|is|are|was|were|to|agreed\s+to|already)\s+)*"
_PARTY = r"(?P<{}>(?:the\s+|a\s+|its\s+|their\s+)?[\w'’\-]+(?:\s+[\w'’\-]+){{0,3}}?)"

_DOUBLE_OBJECT = re.compile(
    rf"{_PARTY.format('giver')}\s+{_AUX}{_GIVE}\s+{_PARTY.format('recipient')}\s+(?P<amount>{_AMOUNT})",
    re.IGNORECASE,
)
_TO = re.compile(
    rf"{_PARTY.format('giver')}\s+{_AUX}{_GIVE}\s+(?P<amount>{_AMOUNT})[^,;.]*?\bto\s+{_PARTY.format('recipient')}(?:[\s,;.]|$)",
    re.IGNORECASE,
)
_FROM = re.compile(
    rf"{_PARTY.format('recipient')}(?:,\s+(?:which|who))?\s+{_AUX}{_GET}\s+(?:a\s+payment\s+of\s+)?(?P<amount>{_AMOUNT})"
    rf"[^,;.]*?\bfrom\s+{_PARTY.format('giver')}(?:[\s,;.]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Transfer:
    """The content words naming who gives and who receives."""

    giver: frozenset[str]
    recipient: frozenset[str]
    #: The amount by value (0 when it cannot be read).
    amount: float = 0.0


def transfers(text: str) -> list[Transfer]:
    """The transfers of an amount a text tells, in any of its three orders."""
    found: list[Transfer] = []
    for regex in (_DOUBLE_OBJECT, _TO, _FROM):
        for match in regex.finditer(text):
            giver = frozenset(polarity.content_lemmas(match.group("giver")))
            recipient = frozenset(polarity.content_lemmas(match.group("recipient")))
            if giver and recipient and not giver & recipient:
                values = numbers.quantities(numbers.normalize_numbers(match.group("amount")))
                found.append(Transfer(giver, recipient, values[0].value if values else 0.0))
    return found


def turned_round(claim: str, sources: list[str]) -> str | None:
    """A reason when the claim has the giver and the recipient of a source transfer the other way round."""
    mine = transfers(claim)
    if not mine:
        return None
    for text in sources:
        for theirs in transfers(text):
            for told in mine:
                crossed = told.giver & theirs.recipient and told.recipient & theirs.giver
                # The one the source has receive an amount is told as giving that very amount.
                same_amount = told.amount and told.amount == theirs.amount
                one_sided = same_amount and told.giver & theirs.recipient
                if (
                    (crossed or one_sided)
                    and not told.giver & theirs.giver
                    and not told.recipient & theirs.recipient
                ):
                    return f"reversed relation: the source has the amount go the other way: “{text[:100]}”"
    return None

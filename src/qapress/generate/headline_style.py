"""A news sentence said as a headline: what is new, in the present tense, without the words a headline drops.

Headlines tell past news in the present ("Corvale unveils Fold 14"), drop the auxiliary of a passive ("Water
company fined £4.2m"), a leading article before a common noun, the day and an attribution at the end, and
stay short. Built from the draft's own retelling of the news, such a title says what is new in the draft's
words rather than the source's headline. Pure: a sentence in, a headline or "" out; the caller keeps it only
when the grounding check supports it.
"""

from __future__ import annotations

import re

import lemminflect

from qapress.generate import patterns as p

MAX_WORDS = 11
_OPENING_TIME = re.compile(
    rf"^(?:(?:On|Early on|Late on|By|Last|This|Earlier|In)\s[^,]{{1,30}}|(?:{p.WEEKDAYS})\s\w+),\s"
)
_DAY = re.compile(rf"\s(?:on|last|this)\s(?:{p.WEEKDAYS})(?:\s(?:morning|afternoon|evening|night))?\b")
#: ", the two firms said on Monday": an attribution ending the sentence (who said it, and when at most).
SAID_TAIL = re.compile(
    rf",\s[^,]{{1,50}}\s(?:said|says|announced|confirmed)(?:\s(?:on|last|this)\s(?:{p.WEEKDAYS}|week|month))?$"
)
_PASSIVE = re.compile(r"\b(?:has been|have been|had been|was|were|is|are)\s(?=[a-z]+\b)")
#: "could help", "will close": a modal and its verb, kept as they are (headlines keep them).
_MODAL = re.compile(r"\b(?:could|may|might|will|would|can)\s[a-z]+\b")
#: Where a headline may end: a clause first, a phrase only when no clause fits.
_CLAUSE_CUT = re.compile(r",\s|\s(?=(?:after|as|despite|amid|while|because|when|but)\s)")
_PHRASE_CUT = re.compile(r"\s(?=(?:for|with|into|at|in|over|from|by|on)\s)")
#: "to" as a preposition ("no warning to fans"), never before a verb ("agrees to buy"): a last place to cut.
_TO_CUT = re.compile(r"\s(?=to\s(?:the|a|an|his|her|its|their|[a-z]+(?<![su])s\b|[A-Z]))")
_AUXILIARIES = frozenset(
    [
        *("am", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does"),
        *("did", "will", "would", "can", "could", "may", "might", "must", "should", "shall", "to"),
    ]
)
PRONOUN_OPENING = re.compile(r"^(?:It|They|He|She|We|I|This|That|These|Those|Its|Their|His|Her)\b")
_COMMON_OPENING = re.compile(r"^(?:A|An|The)\s(?=[a-z])")


def _past_participle(word: str) -> bool:
    lemmas = lemminflect.getAllLemmas(word).get("VERB", ())
    return any(word in lemminflect.getInflection(lemma, tag="VBN") for lemma in lemmas)


def _present(word: str, plural: bool) -> str:
    """``unveiled`` -> ``unveils`` (``unveil`` after a plural subject); "" when ``word`` is no past tense."""
    lemmas = lemminflect.getAllLemmas(word).get("VERB", ())
    for lemma in lemmas:
        if word in lemminflect.getInflection(lemma, tag="VBD") and word != lemma:
            forms = lemminflect.getInflection(lemma, tag="VBP" if plural else "VBZ")
            return forms[0] if forms else ""
    return ""


def _plural_subject(subject: list[str]) -> bool:
    """Drivers, Lawmakers, councillors: a subject ending in a plural noun (a name such as "Harbor Foods" is
    one firm)."""
    last = subject[-1]
    common = last.islower() or len(subject) == 1
    return common and last.endswith("s") and not last.endswith(("ss", "us", "is"))


#: "Aron Vell, the singer, released …": a name's appositive, which a headline leaves out.
_NAME_APPOSITIVE = re.compile(
    r"^(?P<name>[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,3}),\s(?:the|a|an|his|her|its|their)\s[^,“”\"]{2,40},\s(?=[a-z])"
)


def as_headline(sentence: str) -> str:
    """The sentence as a headline of at most ``MAX_WORDS`` words; "" when it has a quotation, or no verb a
    headline can put in the present."""
    found = headline_candidates(sentence)
    return found[0] if found else ""


def headline_candidates(sentence: str) -> list[str]:
    """Every headline the sentence gives, longest first: the whole of it when it is short enough, then each
    cut where a clause, else a phrase, ends after the verb (a caller that needs a title other than the
    source's headline takes the first that differs from it)."""
    text = SAID_TAIL.sub("", sentence.strip().rstrip("."))
    if re.search(r"[“”\"]", text) or re.search(r"\b(?:said|says|told)\b", text) or not text:
        return []
    text = _OPENING_TIME.sub("", text)
    text = _DAY.sub("", text)
    text = _NAME_APPOSITIVE.sub(lambda m: m.group("name") + " ", text)
    tokens = text.split()
    verb_end = 0
    passive = _PASSIVE.search(text)
    if passive:
        follower = text[passive.end() :].split()[0].strip(",")
        if _past_participle(follower) and len(text[: passive.start()].split()) >= 1:
            text = text[: passive.start()] + text[passive.end() :]
            verb_end = passive.start() + len(follower)
    modal = _MODAL.search(text)
    if not verb_end and modal and len(text[: modal.start()].split()) >= 2 and not passive:
        verb_end = modal.end()
    if not verb_end:
        for at, token in enumerate(tokens[1:6], start=1):
            word = token.strip(",")
            if not word.islower():
                continue
            if tokens[at - 1].lower() in _AUXILIARIES or word in _AUXILIARIES:
                break  # "are expected", "will open", "was": no simple past to put in the present
            if tokens[at - 1].endswith(",") or tokens[at + 1 : at + 2] == ["by"]:
                break  # "The firm, founded in 2015 by …": a participle, not the sentence's verb
            present = _present(word, _plural_subject(tokens[:at]))
            if present:
                tokens[at] = token.replace(word, present)
                text = " ".join(tokens)
                verb_end = len(" ".join(tokens[: at + 1]))
                break
            if word in ("who", "which", "that", "and", "but"):
                break
    if not verb_end:
        return []
    opening = _COMMON_OPENING.match(text)
    if opening:
        text, verb_end = text[opening.end() :], verb_end - opening.end()
    text = text[:1].upper() + text[1:]
    found = [text] if len(text.split()) <= MAX_WORDS else []
    for boundary in (_CLAUSE_CUT, _PHRASE_CUT, _TO_CUT):
        cuts = [
            m.start()
            for m in boundary.finditer(text)
            if m.start() >= verb_end and 4 <= len(text[: m.start()].split()) <= MAX_WORDS
        ]
        found += [
            re.sub(r",\s(?=with\b)", " ", text[:cut].rstrip(" ,")) for cut in sorted(cuts, reverse=True)
        ]
    return [
        title
        for title in dict.fromkeys(found)
        # "It published": a pronoun names nothing in a title, and three words are the fewest that tell news
        if title.count("(") == title.count(")")
        and len(title.split()) >= 3
        and not PRONOUN_OPENING.match(title)
    ]

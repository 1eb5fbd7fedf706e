"""The default backend: an offline, deterministic writer that builds a draft from the source's own facts.

Questions come from ``key_questions`` (what a reader of this kind of story asks first) and
``questions.choose_questions`` (timing, people, story, money, figures...). Each answer is a short reply in
the draft's own words, rebuilt from facts read out of the source, and at most one short attributed quote.
The title is the news the headline gives; the lead and body are prose written from the same facts. Quotes
are dropped, longest first, until at most ``MAX_SHARE`` of the draft is the source's own words.
"""

from __future__ import annotations

import re

from qapress.generate.copy_share import MAX_SHARE, copied_share
from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.facts import Facts, Person, extract_facts
from qapress.generate.grounding import UNSUPPORTED, SourceIndex
from qapress.generate.grounding.report import check_text
from qapress.generate.key_questions import key_questions
from qapress.generate.patterns import HEDGES
from qapress.generate.questions import PlannedQuestion, choose_questions
from qapress.generate.text import as_inner_quote, join_list, split_sentences, words

#: A quote longer than this is no short quote: the answer leans on its own words instead.
MAX_QUOTE_WORDS = 30
#: Leave room under ``MAX_SHARE`` for the credit line the pipeline adds.
SHARE_TARGET = MAX_SHARE - 0.03
#: A title longer than this is cut where the headline's first clause or phrase ends.
MAX_TITLE_WORDS = 11
_TITLE_BOUNDARY = re.compile(
    r",\s|\s[-–—]\s|:\s|\s(?=(?:after|as|despite|amid|while|but|and|with|to|in|for|over)\s)"
)
_DIRECT = re.compile(r"[“\"]([^”\"]{12,}?)[,.!?]?[”\"]")

TITLE_TAILS = {
    "sport": "who won and what is next",
    "politics": "what was decided and what changes",
    "business": "what the results show",
    "science": "what the study found",
    "film": "what we know",
    "technology": "what is new",
}

#: The hedges that say most plainly that something is not settled come first.
HEDGE_STRENGTH = (
    "possibly",
    "rumored",
    "rumoured",
    "reportedly",
    "potential",
    "potentially",
    "tentative",
    "tentatively",
    "not yet",
    "no date",
    "undisclosed",
    "likely",
    "expected",
    "target",
    "targeted",
    "plans",
    "planned",
    "plan",
    "hopes",
    "aims",
    "could",
    "may",
    "might",
)


def attribution(source: SourceDocument) -> str:
    """Who the quoted sentences come from, as the answer names it."""
    if source.publisher:
        return f"According to {source.publisher}"
    return "According to the source report"


def short_quote(planned: PlannedQuestion, facts: Facts, source: SourceDocument) -> str:
    """One short attributed quote for an answer: a speaker's own words when the evidence has them, else the
    shortest evidence sentence; empty when every candidate is too long."""
    for index in planned.evidence:
        sentence = facts.sentences[index].text
        speaker = facts.quotes.get(index)
        direct = _DIRECT.search(sentence)
        if speaker and direct:
            first = split_sentences(direct.group(1))[0].rstrip(",")
            if 6 <= len(first.split()) <= MAX_QUOTE_WORDS:
                return f"{speaker} said: “{as_inner_quote(first)}”"
    candidates = sorted(planned.evidence, key=lambda i: len(facts.sentences[i].text.split()))
    for index in candidates:
        text = trimmed(facts.sentences[index].text)
        if len(text.split()) <= MAX_QUOTE_WORDS + 10:
            return f"{attribution(source)}: “{as_inner_quote(text)}”"
    return ""


_CLAUSE_END = re.compile(r",\s|;\s|\s[—–]\s|\s(?=after|while)\b")
_KEEPS_MEANING = re.compile(r"\b(?:not|no|never|nor|without|n[’']t)\b|" + HEDGES.pattern, re.IGNORECASE)


def trimmed(sentence: str, longest: int = 18) -> str:
    """A long sentence cut after its first clause and marked “…”, so the quote stays short; never when the
    part left out holds a negation or a hedge (leaving it out would change what the source says)."""
    if len(sentence.split()) <= longest:
        return sentence
    for match in _CLAUSE_END.finditer(sentence):
        head, tail = sentence[: match.start()].rstrip(" ,;"), sentence[match.start() :]
        if len(head.split()) >= 8 and not _KEEPS_MEANING.search(tail) and not re.search(r"[“”\"]", sentence):
            return head + " …"
    return sentence


_QUOTED = re.compile(r"^(?P<who>[^“]+: )“(?P<quote>[^“”]+?)(?: …)?”$")


def cut_quote(answer: str, longest: int = 7) -> str:
    """An attributed quote cut after ``longest`` words and marked “…”; unchanged when the words left out
    hold a negation or a hedge, or when it is no plain attributed quote."""
    match = _QUOTED.match(answer)
    if not match:
        return answer
    quote = match.group("quote").split()
    if len(quote) <= longest or _KEEPS_MEANING.search(" ".join(quote[longest:])):
        return answer
    # never between a number and what it counts ("3 hours 10 minutes"), nor inside an amount
    while longest < len(quote) and (re.search(r"\d", quote[longest - 1]) or re.search(r"\d", quote[longest])):
        longest += 1
    if longest >= len(quote) - 2:
        return answer
    head = " ".join(quote[:longest]).rstrip(",;:")
    return f"{match.group('who')}“{head} …”"


def answer_text(short: str, quote: str) -> str:
    return " ".join(part for part in (short, quote) if part)


def _with_role(person: Person) -> str:
    """ "Helen Marsh, the judge": the name with its role (a plain name when none is known)."""
    if not person.role:
        return person.name
    return f"{person.name}, {'an' if person.role[:1] in 'aeiou' else 'the'} {person.role}"


def _who_speaks(facts: Facts, news_text: str) -> list[str]:
    """Sentences on who speaks and who else takes part, in the draft's own words.

    (“Helen Marsh is the judge” is rejected by the check, which reads a role only beside the name, so the
    roles stay in apposition.)"""
    speakers = set(facts.quotes.values())
    quoted = [p for p in facts.people[:5] if any(p.name.split()[-1] in s for s in speakers)]
    others = [p for p in facts.people[:5] if p not in quoted and p.role][:2]
    sentences: list[str] = []
    # One sentence a person: a list of names with their roles in apposition reads as a list of pairs.
    sentences += [
        f"{_with_role(person)}{',' if person.role else ''} is quoted in the report." for person in quoted[:2]
    ]
    sentences += [
        f"{_with_role(person)}{',' if person.role else ''} also appears in it." for person in others[:1]
    ]
    organizations = [name for name in facts.organizations[:4] if name not in news_text][:2]
    if organizations and sentences:
        sentences.append(f"The report also refers to {join_list(organizations)}.")
    return sentences


def _body(facts: Facts, planned: list[PlannedQuestion], source: SourceDocument) -> list[str]:
    """Prose paragraphs from the facts: the news, who speaks, the amounts and counts, what is not settled.

    Each sentence is built from typed facts, never a list of what the report "includes"."""
    paragraphs: list[str] = []
    news = [q.short for q in planned if q.short and q.aspect in ("won", "decided", "results", "next", "vote")]
    if news[1:]:
        paragraphs.append(" ".join(news[1:3]))  # the first is the lead's
    news_text = " ".join(news)
    who = _who_speaks(facts, news_text)
    if who:
        paragraphs.append(" ".join(who))
    figures: list[str] = []
    amounts = [m.text for m in facts.money if m.text not in news_text]
    amounts = list(dict.fromkeys(amounts))[:3]
    if len(amounts) > 1:
        figures.append(f"The report puts figures of {join_list(amounts)} on it.")
    elif amounts:
        figures.append(f"The report puts a figure of {amounts[0]} on it.")
    counted = next(
        (q.short for q in planned if q.aspect == "figures" and q.short.startswith("The figures")), ""
    )
    if counted and facts.kind != "sport":
        figures.append(
            counted.replace("The figures given include", "Among the other figures in the report are")
        )
    places = [place for place in facts.places[:2] if place not in news_text]
    if len(places) > 1:
        figures.append(f"{join_list(places)} are among the places the report mentions.")
    elif places:
        figures.append(f"{places[0]} is among the places the report mentions.")
    if figures:
        paragraphs.append(" ".join(figures))
    found = {m.group().lower() for s in facts.sentences for m in HEDGES.finditer(s.text)}
    hedges = sorted(
        found, key=lambda word: (HEDGE_STRENGTH.index(word) if word in HEDGE_STRENGTH else 99, word)
    )
    if hedges:
        quoted = join_list([f"“{word}”" for word in hedges[:3]])
        paragraphs.append(f"Not everything here is settled: the report hedges with words such as {quoted}.")
    return paragraphs or [_short_on_details(source)]


def _short_on_details(source: SourceDocument) -> str:
    report = source.publisher or "The source report"
    return f"{report} is short on details; the questions below quote what it says."


def _checked_body(paragraphs: list[str], source: SourceDocument) -> list[str]:
    """The body's paragraphs without the sentences the grounding check calls unsupported: a sentence built from
    the facts may still say more than the source (a figure set beside the wrong noun), and a body that fails
    fails the whole draft, so the writer drops it rather than ship it (the check still reads everything)."""
    index = SourceIndex(source)
    kept = []
    for paragraph in paragraphs:
        sentences = [c.text for c in check_text(paragraph, "body", index) if c.verdict != UNSUPPORTED]
        if sentences:
            kept.append(" ".join(sentences))
    return kept or [_short_on_details(source)]


def headline_news(source: SourceDocument, facts: Facts) -> str:
    """What is new, as the headline says it, cut at its first clause when it runs long."""
    headline = source.title.strip()
    opening = re.match(r"^[‘“\"']([^’”\"']{2,60})[’”\"']", headline)
    if opening:  # "‘Heat 2’ Inches Closer ...": the title starts with the work's name, unquoted
        headline = opening.group(1) + headline[opening.end() :]
    if len(words(headline)) > MAX_TITLE_WORDS:
        # The longest opening of at most MAX_TITLE_WORDS words that ends where a clause or phrase does.
        cuts = [m.start() for m in _TITLE_BOUNDARY.finditer(headline)]
        fitting = [c for c in cuts if 3 <= len(words(headline[:c])) <= MAX_TITLE_WORDS]
        if fitting:
            headline = headline[: max(fitting)].rstrip(" ,:")
    return headline or facts.subject


def _title(source: SourceDocument, facts: Facts, planned: list[PlannedQuestion]) -> str:
    """The headline's news and what the draft answers: the kind's tail only when its key facts were read."""
    news = headline_news(source, facts)
    aspects = {q.aspect for q in planned}
    tail = next((TITLE_TAILS[kind] for aspect, kind in TAIL_OF_ASPECT if aspect in aspects), "")
    if not tail:
        tail = TITLE_TAILS["film"] if facts.kind == "film" else "what we know"
    return f"{news}: {tail}"


def _lead(facts: Facts, planned: list[PlannedQuestion], source: SourceDocument) -> str:
    who = f"the report by {source.publisher}" if source.publisher else "the source report"
    key = next((q.short for q in planned if q.short and q.aspect in ("won", "decided", "results")), "")
    film = facts.kind == "film"
    topics = list(dict.fromkeys(topic_of(q.aspect, film) for q in planned))
    named = facts.subject_in_text[:1].isupper() or facts.subject_in_text.startswith("the ")
    opening = key or (f"What is the latest on {facts.subject_in_text}?" if named else "")
    body = f"This explainer answers readers’ questions about {join_list(topics[:4])}, from {who}."
    return f"{opening} {body}".strip()


#: Which title tail a key question earns.
TAIL_OF_ASPECT = (("won", "sport"), ("decided", "politics"), ("results", "business"), ("found", "science"))
#: How the lead names what an answer covers (film stories have a release date, a cast and a budget).
TOPICS = {
    "won": "who won",
    "score": "the score",
    "next": "what is next",
    "decided": "what was decided",
    "vote": "the vote",
    "changes": "what will change",
    "results": "the results",
    "found": "the findings",
    "by_whom": "the researchers",
    "why": "why it matters",
    "watch": "where to watch",
    "when": "the timing",
    "who": "the people involved",
    "about": "the story",
    "money": "the money",
    "figures": "the numbers",
    "quote": "what was said",
    "where": "the places",
    "charged": "the charges and the sentence",
    "court_next": "what happens next in court",
    "forecast": "the forecast",
    "warnings": "the warnings",
    "changed": "what changed",
    "happened": "what happened",
    "happening": "what is on",
}
FILM_TOPICS = {"when": "the release date", "who": "the cast", "money": "the budget"}


def topic_of(aspect: str, film: bool) -> str:
    return (FILM_TOPICS.get(aspect) if film else None) or TOPICS.get(aspect, "the story")


#: The questions a kind of story is read for: never left out to save copied words.
KEY_ASPECTS = frozenset(
    {"won", "score", "decided", "vote", "changes", "results", "found", "watch", "about"}
    | {"charged", "court_next", "forecast", "warnings", "changed", "happened", "happening"}
)


def _within_budget(
    draft: Draft, source: SourceDocument, quotes: list[str], shorts: list[str], aspects: list[str]
) -> Draft:
    """Cut copied words until the share fits: first the quotes of answers that have words of their own,
    then the questions answered by a quote alone (keeping four), then the key answers' quotes, and last the
    quotes that are an answer on their own, cut to their first words.
    The first question and the kind's key questions are cut last; longer quotes before shorter ones."""
    faq = list(draft.faq)
    kept = list(range(len(faq)))

    def key(i: int) -> bool:
        return i == 0 or aspects[i] in KEY_ASPECTS

    def rebuilt() -> Draft:
        return Draft(draft.title, draft.lead, draft.body, tuple(faq[j] for j in kept), draft.outro)

    longest_first = sorted(range(len(faq)), key=lambda i: -len(quotes[i].split()))
    for phase in ("quote", "question", "key quote", "quote cut"):
        for i in longest_first:
            if copied_share(rebuilt(), source) <= SHARE_TARGET:
                return rebuilt()
            if phase == "quote" and not key(i) and shorts[i] and quotes[i]:
                faq[i] = FaqItem(faq[i].question, shorts[i])
            elif phase == "question" and not key(i) and not shorts[i] and len(kept) > 4 and i in kept:
                kept.remove(i)
            elif phase == "key quote" and key(i) and shorts[i] and quotes[i]:
                faq[i] = FaqItem(faq[i].question, shorts[i])
            elif phase == "quote cut" and not shorts[i] and quotes[i] and i in kept:
                # answers that are a quote alone (the key answers of the crime, weather... kinds): cut short
                faq[i] = FaqItem(faq[i].question, cut_quote(quotes[i]))
    return rebuilt()


class ExtractiveBackend:
    """Offline, deterministic: no model, no network. Good on news of any kind in English."""

    name = "extractive"

    def draft(self, source: SourceDocument) -> Draft:
        facts = extract_facts(source)
        planned = choose_questions(facts, key_questions(facts))
        if facts.kind == "film":
            # A film's reader asks about the release, the cast and the story before where to watch it.
            order = ("when", "who", "about", "watch")
            planned.sort(key=lambda q: order.index(q.aspect) if q.aspect in order else len(order))
        quotes: list[str] = []
        for q in planned:
            quote = short_quote(q, facts, source)
            quotes.append("" if quote and quote in quotes and q.short else quote)  # each quote once
        shorts = [q.short for q in planned]
        faq = tuple(
            FaqItem(q.question, answer_text(q.short, quote)) for q, quote in zip(planned, quotes, strict=True)
        )
        draft = Draft(
            title=_title(source, facts, planned),
            lead=_lead(facts, planned, source),
            body=tuple(_checked_body(_body(facts, planned, source), source)),
            faq=tuple(item for item in faq if item.answer),
            outro="",
        )
        if len(draft.faq) != len(planned):
            return draft
        return _within_budget(draft, source, quotes, shorts, [q.aspect for q in planned])

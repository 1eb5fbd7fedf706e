"""The default backend: an offline, deterministic writer that builds a draft from the source's own facts.

Questions come from ``key_questions`` (what a reader of this kind of story asks first) and
``questions.choose_questions`` (timing, people, story, money, figures...). Each answer is a short reply in
the draft's own words, rebuilt from facts read out of the source, and at most one short attributed quote.
The title is the news the headline gives; the lead and body are prose written from the same facts. Quotes
are dropped, longest first, until at most ``MAX_SHARE`` of the draft is the source's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qapress.generate import patterns as p
from qapress.generate import story
from qapress.generate.compress import clause_cuts, in_digits, retellings
from qapress.generate.copy_share import MAX_SHARE, copied_flags, copied_share, source_runs, text_share
from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.facts import Facts, extract_facts
from qapress.generate.grounding import MIN_ANSWERS, UNSUPPORTED, SourceIndex, check_answer, copied_runs
from qapress.generate.grounding.report import check_text
from qapress.generate.headline_style import PRONOUN_OPENING, SAID_TAIL, headline_candidates
from qapress.generate.key_questions import key_questions
from qapress.generate.patterns import HEDGES
from qapress.generate.prose import people_sentences
from qapress.generate.questions import PlannedQuestion, choose_questions
from qapress.generate.rewording import in_own_words
from qapress.generate.text import Sentence, as_inner_quote, join_list, split_sentences, words
from qapress.generate.titles import best_title, headline_style, headline_variants, reordered_headlines

#: A quote longer than this is no short quote: the answer leans on its own words instead.
MAX_QUOTE_WORDS = 30
#: The share a draft is cut to, measured with the credit line the pipeline adds (``published_share``): a
#: little room under ``MAX_SHARE`` for an answer the check drops.
SHARE_TARGET = MAX_SHARE - 0.005
#: A title longer than this is cut where the headline's first clause or phrase ends.
MAX_TITLE_WORDS = 11
_TITLE_BOUNDARY = re.compile(
    r",\s|\s[-–—]\s|:\s|\s(?=(?:after|as|despite|amid|while|but|and|with|to|in|for|over)\s)"
)
_DIRECT = re.compile(r"[“\"]([^”\"]{12,}?)[,.!?]?[”\"]")


def attribution(source: SourceDocument) -> str:
    """Who the quoted sentences come from, as the answer names it."""
    if source.publisher:
        return f"According to {source.publisher}"
    return "According to the source"


def short_quote(planned: PlannedQuestion, facts: Facts, source: SourceDocument) -> str:
    """One short attributed quote for an answer: a speaker's own words when the evidence has them, else the
    shortest evidence sentence; empty when every candidate is too long."""
    spoken = _speaker_quote(planned, facts)
    if spoken:
        return spoken
    for index in planned.evidence:  # in the planner's order: the best evidence first
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
    """An attributed quote cut after ``longest`` words and marked “…”, or after its last negation or hedge
    and two words more; unchanged when that leaves almost nothing out, or when it is no plain attributed
    quote."""
    match = _QUOTED.match(answer)
    if not match:
        return answer
    quote = match.group("quote").split()
    if len(quote) <= longest:
        return answer
    # a negation or a hedge in the words left out stays: the cut moves past it and the word after it
    # ("… could help older …"), so the quote never loses what makes it a hedge
    while _KEEPS_MEANING.search(" ".join(quote[longest:])):
        last = max(i for i, word in enumerate(quote) if _KEEPS_MEANING.search(word))
        longest = last + 3
        if longest >= len(quote) - 2:
            return answer
    # never between a number and what it counts ("3 hours 10 minutes"), nor inside an amount or a span
    # said in parts ("2 minutes and 58 seconds": cut after "minutes", the result would be cut short)
    while longest < len(quote) and _splits_a_figure(quote, longest):
        longest += 1
    if longest >= len(quote) - 2:
        return answer
    head = " ".join(quote[:longest]).rstrip(",;:")
    return f"{match.group('who')}“{head} …”"


def _splits_a_figure(words: list[str], cut: int) -> bool:
    """Whether cutting before ``words[cut]`` splits a figure: a number and what it counts, or a figure said
    in parts, a number within the two words before the cut and another within the two after it."""

    def digit(word: str) -> bool:
        return bool(re.search(r"\d", word))

    if digit(words[cut - 1]) or digit(words[cut]):
        return True
    return any(map(digit, words[max(0, cut - 2) : cut])) and any(map(digit, words[cut : cut + 2]))


def answer_text(short: str, quote: str) -> str:
    return " ".join(part for part in (short, quote) if part)


class Retelling:
    """The source's sentences retold in the draft's own words, each kept only when the grounding check
    supports it and it copies no long run: the body's and the answers' prose (``compress.retellings``)."""

    def __init__(self, facts: Facts, source: SourceDocument) -> None:
        self.facts = facts
        self.source = source
        self.index = SourceIndex(source)
        self.roles = {person.name: person.role for person in facts.people if person.role}
        self.proper = frozenset(
            word
            for name in [m.text for m in facts.names] + facts.organizations + facts.places
            for word in name.split()
        )
        self._cache: dict[tuple[int, bool], str] = {}
        self._runs = source_runs(source)
        self._compact: dict[int, list[str]] = {}
        self._sentences = frozenset(s.text.strip() for s in facts.sentences)

    def supported(self, text: str, part: str = "answer") -> bool:
        checks = check_text(text, part, self.index)
        return (
            bool(checks)
            and all(c.verdict != UNSUPPORTED for c in checks)
            and not copied_runs(text, self.index)
        )

    def of(self, sentence: int, *, fullest: bool = False) -> str:
        """The best supported retelling of one sentence, empty when none is: the one with the fewest of the
        source's words, or with ``fullest`` the one that says most in the draft's own words (a key answer's
        news: both clauses of "residents can call the line, and a shelter has opened" when both are retold)."""
        key = (sentence, fullest)
        if key not in self._cache:
            text = self.facts.sentences[sentence].text
            candidates = [c for c in retellings(text, self.roles, self.proper) if self.supported(c)]
            if fullest:
                ranked = sorted(
                    candidates,
                    key=lambda c: (
                        text_share(c, self.source) > 0.85,
                        _copied_words(c, self.source) - len(c.split()),
                        _copied_words(c, self.source),
                    ),
                )
            else:
                ranked = sorted(
                    candidates,
                    key=lambda c: (
                        text_share(c, self.source) > 0.85,
                        _copied_words(c, self.source),
                        -len(c.split()),
                    ),
                )
            self._cache[key] = ranked[0] if ranked else ""
        return self._cache[key]

    def copied(self, text: str) -> int:
        """How many of the text's words sit in a run of the source's words (``copy_share``)."""
        return sum(copied_flags(words(text), self._runs))

    def compact(self, sentence: int, *, most_copied: int = 0) -> list[str]:
        """The sentence's facts told short in the draft's own words: its retellings and their first clauses
        (``compress.clause_cuts``) that copy at most ``most_copied`` words, open with no pronoun and that
        the check supports in a body, fewest copied words first, then most words. Built from one sentence,
        so that each stays grounded in the sentence that states it."""
        if sentence not in self._compact:
            text = self.facts.sentences[sentence].text
            found = [
                cut
                # never the sentence itself, however short: the draft says it in its own words; "…, the
                # club said on Sunday" tells who announced the news, which the news told short leaves out
                for whole in retellings(text, self.roles, self.proper)
                for told in dict.fromkeys((whole, _unattributed(whole)))
                for cut in (told, *clause_cuts(told))
            ]
            shaped = [
                c
                for c in dict.fromkeys(found)
                if len(words(c)) >= 3
                and not _PRONOUN_SUBJECT.match(c)
                and not re.search(r"[“”\"]", c)
                and not _LOST_FIGURE.search(c)
                and c not in self._sentences
            ]
            self._compact[sentence] = sorted(shaped, key=lambda c: (self.copied(c), -len(c.split())))
        return [
            c for c in self._compact[sentence] if self.copied(c) <= most_copied and self.supported(c, "body")
        ][:3]


#: "It will …", "On January 1, it will …": a sentence whose subject is a pronoun names nothing on its own.
_PRONOUN_SUBJECT = re.compile(
    r"^(?:(?:On|In|Last|This|Next|By|From|Since|Until|Early|Late|Earlier|Later)\s[^,]{1,30},\s(?:[^,]{1,12},\s)?)?"
    r"(?i:it|its|they|their|he|his|she|her|we|i|this|that|these|those|them)\b"
)
_SPOKEN = re.compile(r"\b(?:said|says|told|added|warned|warns|announced|claimed|argued)\b")
#: "goes to schools up from 56 million": a change left without the figure it starts from (an aside cut out).
_LOST_FIGURE = re.compile(r"(?<![\d%,])(?<!\d\s(?:million|billion))\s(?:up|down)\sfrom\b")


def _unattributed(sentence: str) -> str:
    """The sentence without the attribution that ends it ("…, the club said on Sunday.")."""
    bare = SAID_TAIL.sub("", sentence.rstrip(".")).strip()
    return bare + "." if bare and bare != sentence.rstrip(".") else sentence


#: A lead names when the news happened: a weekday, a month, a date or a year.
_WHEN = re.compile(rf"\b(?:{p.WEEKDAYS}|{p.MONTHS}|(?:19|20)\d{{2}}|today|yesterday|tonight)\b")
#: A body shorter than this many sentences is filled with the source's facts told short.
BODY_SENTENCES = 4


def news_lead(facts: Facts, retold: Retelling) -> str:
    """What is new, in one sentence of the draft's own words: who did what, and when when the story says
    it, told from one of the story's opening sentences (``Retelling.compact``): never reported speech, never
    all but two of its words copied, the fewest copied words first, one that names the time before one that
    does not. Empty when no opening sentence gives one the check supports."""
    found: list[tuple[int, bool, int, str]] = []
    for sentence in facts.sentences[:3]:
        if sentence.text.startswith(("“", '"', "‘")):
            continue
        for told in retold.compact(sentence.index, most_copied=12):
            if (
                6 <= len(words(told)) <= 25
                and retold.copied(told) <= max(5, len(words(told)) - 2)
                and not _SPOKEN.search(told)
                and retold.supported(told, "lead")
            ):
                found.append((retold.copied(told), not _WHEN.search(told), sentence.index, told))
    return min(found)[3] if found else ""


def more_body(facts: Facts, retold: Retelling) -> tuple[str, ...]:
    """Sentences for a body the source's retold sentences cannot fill without copying: each sentence of the
    story told short in the draft's own words (``Retelling.compact``, no word copied), in the story's
    order, one a sentence; the budget takes those that tell what the rest of the draft does not."""
    found = []
    for sentence in facts.sentences:
        if sentence.text.startswith(("“", '"', "‘")):
            continue
        # facts, not what someone said: a short cut of reported speech ("X said comets are named") says
        # less than the speaker did, and the body's retold sentences already give one a speaker
        told = [t for t in retold.compact(sentence.index) if not _SPOKEN.search(t)]
        if told:
            found.append(told[0])
    return tuple(found)


def _body(facts: Facts, planned: list[PlannedQuestion], retold: Retelling, lead: str) -> list[str]:
    """Prose paragraphs that tell the story: what happened (the source's opening sentences retold), what was
    said (reported speech, one sentence a speaker), what comes next or is not settled.

    Nothing about the source as a document ("the report says"): the draft tells the news itself."""
    used = {lead}
    paragraphs: list[list[str]] = [[], [], []]
    news = [q.short for q in planned if q.short and q.aspect in ("won", "decided", "results", "next", "vote")]
    paragraphs[0] += [n for n in news[1:3] if n not in used]
    used.update(paragraphs[0])
    speakers: set[str] = set()
    for sentence in facts.sentences:
        text = sentence.text
        if text.startswith(("“", '"', "‘")):
            continue
        retelling = retold.of(sentence.index)
        if not retelling or retelling in used or _same_fact(retelling, used):
            continue
        if text_share(retelling, retold.source) > 0.85:
            continue  # a sentence that is mostly the source's words is no retelling
        said = re.search(r"\b(?:said|says|told|added)\b", retelling)
        if said:
            who = next((p.name for p in facts.people if p.name in retelling), "")
            if not who or who in speakers or len(paragraphs[1]) >= 3:
                continue
            speakers.add(who)
            paragraphs[1].append(retelling)
        elif HEDGES.search(retelling) or re.search(r"\b(?:will|next|due to|expected)\b", retelling):
            if len(paragraphs[2]) >= 3:
                continue
            paragraphs[2].append(retelling)
        else:
            if len(paragraphs[0]) >= 4:
                continue
            paragraphs[0].append(retelling)
        used.add(retelling)
    return [" ".join(paragraph) for paragraph in paragraphs if paragraph]


def _same_fact(text: str, told: set[str]) -> bool:
    """Whether a sentence mostly repeats one already told (the lead's fact, retold from another sentence)."""
    mine = set(words(text))
    return any(len(mine & set(words(other))) >= 0.7 * max(len(mine), 1) for other in told)


def _short_on_details(source: SourceDocument) -> str:
    if source.publisher:
        return f"{source.publisher} gives few details so far, and the answers below give what is known."
    return "Few details are known so far, and the answers below give what is known."


def spare_sentences(facts: Facts, planned: list[PlannedQuestion], retold: Retelling) -> tuple[str, ...]:
    """Sentences in the draft's own words, built from facts, that the check supports: who the people are
    and the sums with what they are, for a body the source's sentences cannot fill without copying."""
    built = [
        *people_sentences(facts.people[:6]),
        *(q.fallback for q in planned if q.fallback and q.aspect != "when"),
    ]
    return tuple(s for s in dict.fromkeys(built) if s and retold.supported(s, "body"))


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
    return kept


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


def _in_headline(title: str, headline: str) -> bool:
    """Whether a title is the headline or a cut of it: its words a run of the headline's words."""
    mine, theirs = [w.lower() for w in words(title)], [w.lower() for w in words(headline)]
    return any(theirs[i : i + len(mine)] == mine for i in range(len(theirs) - len(mine) + 1))


def _key_titles(source: SourceDocument, facts: Facts, news: str) -> list[str]:
    """The kind's key fact beside the headline's news: the score beside the winner, the vote beside the
    decision, the results' first labelled figure (candidates; the caller checks them)."""
    found: list[str] = []
    results = story.results(facts) if facts.kind == "sport" else []
    if results and results[0].score not in news:
        result = results[0]
        beat = re.search(
            rf"\b(?:beat|beats|defeat|defeats|thrash|edge|edges|down|downs)\s{re.escape(result.loser)}", news
        )
        if beat:  # "Kestrel City beat Marlow Athletic 2-0 to reach the final"
            found.append(news[: beat.end()] + f" {result.score}" + news[beat.end() :])
        found.append(f"{result.winner} beat {result.loser} {result.score}")
    decided = story.decisions(facts) if facts.kind in ("politics", "local") else []
    if decided and decided[0].votes and not re.search(r"\d", news):
        yes, no = decided[0].votes
        cut = re.search(r"\s(?:despite|after|amid|as|over|following)\s", news)
        found.append(f"{news[: cut.start() if cut else len(news)]} by {yes} votes to {no}")
    if facts.kind == "business" and facts.subject:
        figure = next((f for f in story.figures(facts) if f.label not in ("shares", "share")), None)
        if figure:
            found.append(f"{facts.subject} {figure.phrase()}")
    return found


def _reworded_title(text: str) -> str:
    """A title in the draft's same-meaning words and number style (small counts in digits)."""
    return in_digits(in_own_words(text))


def _title_candidates(source: SourceDocument, facts: Facts, retold: Retelling, lead: str) -> list[str]:
    """Titles the draft could give: the headline in the draft's words (``titles.headline_variants``), and
    each opening sentence, as the source says it and retold, said as a headline."""
    headline = re.sub(r"^[‘“\"']([^’”\"']{2,60})[’”\"']", r"\1", source.title.strip())
    found = headline_variants(headline, _reworded_title, source.text)
    found += [t for cut in [headline, *found] for t in reordered_headlines(cut, source.text)]
    told: list[str] = [lead] if lead else []
    for sentence in facts.sentences[:2]:
        if not sentence.text.startswith(("“", '"', "‘")):
            told += [sentence.text, *retellings(sentence.text, retold.roles, retold.proper)]
    found += [
        styled
        for text in told
        for title in headline_candidates(text)
        for styled in headline_style(title, _reworded_title, source.text)
    ]
    return found


def uncopied_title(source: SourceDocument, facts: Facts, retold: Retelling, lead: str) -> str:
    """A title that copies no run of the source's words, for a draft that copies too much with its own:
    some of the headline's news, a near copy of the headline if nothing else (never the headline or a cut)."""
    candidates = [
        c
        for c in [
            *_key_titles(source, facts, headline_news(source, facts)),
            *_title_candidates(source, facts, retold, lead),
        ]
        if not retold.copied(c)
    ]
    return best_title(
        candidates,
        source.title,
        source.text,
        lambda t: retold.supported(t, "title"),
        retold.copied,
        least_news=0.3,
    )


def _title(
    source: SourceDocument, facts: Facts, planned: list[PlannedQuestion], retold: Retelling, lead: str
) -> str:
    """What is new, said as news: the key fact when the headline leaves it out (the score beside the
    winner, the vote beside the decision), else the headline's news; never a fixed tail."""
    news = headline_news(source, facts)
    key_titles = _key_titles(source, facts, news)
    candidates = [*key_titles, *_title_candidates(source, facts, retold, lead)]
    for least_news in (0.5, 0.3):
        # the headline's news told in the draft's words first; else less of it, before the headline itself
        chosen = best_title(
            candidates,
            source.title,
            source.text,
            lambda title: retold.supported(title, "title"),
            retold.copied,
            least_news=least_news,
            preferred=key_titles,
        )
        if chosen:
            return chosen
    if facts.kind == "sport":
        found = story.results(facts)
        if found and found[0].score not in news:
            result = found[0]
            beat = re.search(
                rf"\b(?:beat|beats|defeat|defeats|thrash|edge|edges|down|downs)\s{re.escape(result.loser)}",
                news,
            )
            title = (
                news[: beat.end()] + f" {result.score}" + news[beat.end() :]
                if beat
                else f"{result.winner} beat {result.loser} {result.score}"
            )
            if retold.supported(title, "title"):
                return title
    if facts.kind in ("politics", "local"):
        decided = story.decisions(facts)
        if decided and decided[0].votes and not re.search(r"\d", news):
            yes, no = decided[0].votes
            # "approves bus lane plan by 31 votes to 17 despite traders' protest": the vote beside the decision
            cut = re.search(r"\s(?:despite|after|amid|as|over|following)\s", news)
            at = cut.start() if cut else len(news)
            title = f"{news[:at]} by {yes} votes to {no}{news[at:]}"
            if retold.supported(title, "title"):
                return title
    # the news as the draft retells it, said as a headline: what is new in the draft's own words rather
    # than the source's headline ("Water company fined £4.2m for illegally releasing sewage")
    if facts.kind == "business":
        # "Brightwell Foods pre-tax profit down 22% to £184 million": the results' first figure, labelled
        figure = next((f for f in story.figures(facts) if f.label not in ("shares", "share")), None)
        if figure and facts.subject:
            title = f"{facts.subject} {figure.phrase()}"
            if retold.supported(title, "title"):
                return title
    # the opening sentences tell the news; a lead from later in the story ("conditions are expected to
    # ease") is no title
    openings = [retold.of(s.index) for s in facts.sentences[:2]]
    for told in dict.fromkeys([*openings, *([lead] if lead in openings else [])]):
        for title in headline_candidates(told) if told else []:
            # the longest headline the retelling gives that is not the source's headline cut short
            if not _in_headline(title, source.title) and retold.supported(title, "title"):
                return title
    # (the cause first and the outcome after a colon is one of the candidates: ``titles.reordered_headlines``)
    return _key_fact_title(planned, source, retold, facts.kind) or news


#: A film's release as its first answer tells it.
_RELEASE = re.compile(r"\b(?:premiere|release[sd]?|opens|comes out|in cinemas|streaming|on sale)\b", re.I)


def _key_fact_title(
    planned: list[PlannedQuestion], source: SourceDocument, retold: Retelling, kind: str
) -> str:
    """The answer to the kind's first question, built from facts, said as a title ("The Salt Road has its
    world premiere on October 12"): for a headline the retold sentences cannot put in other words."""
    for q in planned:
        if q.aspect == "about" or (
            q.aspect not in FIRST_ASPECTS and not (q.aspect == "when" and kind == "film")
        ):
            continue  # a film's release date is its news, a study's publication date and a story's setting not
        fact = split_sentences(q.short)[0] if q.short else ""
        if not fact or re.search(r"[“”\"]|\b(?:not|said|says|mentioned|given)\b", fact):
            continue  # a hedged or bare date ("The date given is May") is no news
        if q.aspect == "when" and not _RELEASE.search(fact):
            continue  # "Foldwork was founded in 2014": a date, but not the film's release
        whole = (
            fact.rstrip(".")
            if len(words(fact)) <= MAX_TITLE_WORDS and not PRONOUN_OPENING.match(fact)
            else ""
        )
        for title in [*headline_candidates(fact), *([whole] if whole else [])]:
            # a title opens with whom the news is about ("The Salt Road has …"), not "Sales were down 4%"
            opening = title.split()[1 if title.startswith("The ") else 0]
            if opening not in retold.proper:
                continue
            if not _in_headline(title, source.title) and retold.supported(title, "title"):
                return title
    return ""


def _lead(
    planned: list[PlannedQuestion],
    retold: Retelling,
    facts: Facts,
    source: SourceDocument,
    short_lead: str = "",
) -> str:
    """The news in a sentence: the kind's key fact, else the opening sentence retold, else the news told
    short (``news_lead``), else a later sentence retold, else the headline's news as a sentence."""
    key = next((q.short for q in planned if q.short and q.aspect in ("won", "decided", "results")), "")
    if key:
        return key
    taken: set[int] = set()

    def candidates(sentences: list[Sentence]) -> list[str]:
        found = [retold.of(s.index) for s in sentences if s.index not in taken]
        return [
            r
            for r in found
            # "…, the two firms said on Monday" attributes the news; "X said the team was patient" is no news
            if r
            and not re.search(r"\b(?:said|says|told)\b", SAID_TAIL.sub("", r.rstrip(".")))
            and text_share(r, source) <= 0.85
        ]

    opening = candidates(facts.sentences[:3])
    if opening:  # the news comes first in a news story
        return opening[0]
    if short_lead:  # "conditions are expected to ease" from later in the story is no news
        return short_lead
    later = candidates(facts.sentences[4:])
    if later:
        return later[0]
    # the headline's news as a sentence: the source's words, but the news
    news = headline_news(source, facts).rstrip(" .")
    return news + "." if news else ""


#: How the lead's guide names what an answer covers (film stories have a release date, a cast and a budget).
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
#: The lead that only says what the answers cover, written when the draft is built (its answers known).
GUIDE = "\x00guide"
FILM_TOPICS = {"when": "the release date", "who": "the cast", "money": "the budget"}


def guide(aspects: list[str], film: bool) -> str:
    """The lead's second sentence: what the answers below cover, in the order they come."""
    topics = list(
        dict.fromkeys((FILM_TOPICS.get(a) if film else None) or TOPICS.get(a, "the story") for a in aspects)
    )
    return f"This explainer covers {join_list(topics[:4])}." if topics else ""


#: A film's reader asks about the release, the cast, the story and where to watch it.
FILM_KEYS = frozenset({"when", "who", "about", "watch"})
#: The questions a kind of story is read for: never left out to save copied words.
KEY_ASPECTS = frozenset(
    {"won", "score", "decided", "vote", "changes", "results", "found", "by_whom", "why", "watch", "about"}
    | {"charged", "court_next", "forecast", "warnings", "changed", "happened", "happening"}
)


#: The first question of each kind (who won, what was decided, the results, what was found, where to watch…).
FIRST_ASPECTS = frozenset(
    {"won", "decided", "results", "found", "watch", "about", "charged", "forecast", "changed", "changes"}
    | {"happened", "happening"}
)


@dataclass
class _Answer:
    """An answer in parts: the fact it leads with, one more retold sentence, one short attributed quote."""

    question: str
    aspect: str
    fact: str
    more: str = ""
    quote: str = ""
    #: the evidence as an attributed quote: the answer of last resort when the retelling copies too much
    source_quote: str = ""
    #: the answer in the draft's own words ("The cost is £9m."), for when the retelling copies too much
    fallback: str = ""

    def text(self) -> str:
        return " ".join(part for part in (self.fact, self.more, self.quote) if part)


def _answers(
    planned: list[PlannedQuestion],
    facts: Facts,
    source: SourceDocument,
    retold: Retelling,
    lead: str,
    *,
    sparing: bool = True,
) -> list[_Answer]:
    """Each question's answer, leading with the fact: the short answer built from facts, else the evidence
    retold; a second retold sentence or the speaker's own words after it; a bare quote only when nothing
    else is supported (better a quoted answer than a wrong one)."""
    answers: list[_Answer] = []
    skipped: list[PlannedQuestion] = []
    told: set[str] = {lead}
    for q in planned:
        retellings = [
            r
            for r in (retold.of(i, fullest=q.aspect in KEY_ASPECTS) for i in q.evidence)
            # a fact the lead or an answer before has told, in these words or others, is not told again
            # (for the kind's questions; a sum or a date may be asked for again)
            if r
            and (
                q.aspect == "about"
                or (r not in told and (q.aspect not in KEY_ASPECTS or not _same_fact(r, told)))
            )
        ]
        if q.aspect not in KEY_ASPECTS:
            retellings = [r for r in retellings if text_share(r, source) <= 0.85]
        if q.needs:
            retellings = [r for r in retellings if any(_says(r, need) for need in q.needs)]
        short = _people_told(q, facts, retold) if q.aspect in ("who", "by_whom") else q.short
        fact = (
            short
            or (retellings.pop(0) if retellings else "")
            or q.fallback
            or _retold_elsewhere(q, facts, retold, told)
            # a key question the lead already answers: the lead's sentence again, not a quotation
            or (
                lead
                if q.aspect in KEY_ASPECTS
                and q.aspect != "about"
                and lead in [retold.of(i) for i in q.evidence]
                else ""
            )
        )
        earlier = {a.fact for a in answers if a.fact}
        if (
            q.aspect == "about"
            and fact
            and (_same_fact(fact, earlier) or not _adds_figures(fact, " ".join(earlier)))
        ):
            # "What is the news?" after a key answer that told it: the story's next fact instead
            repeated = fact
            fact = _retold_elsewhere(q, facts, retold, told | {fact}) or ""
            if not fact and sparing and len(planned) - len(skipped) > MIN_ANSWERS:
                skipped.append(q)  # nothing new to tell: asked once
                continue
            fact = fact or repeated
        if q.aspect == "quote" and not q.short:
            fact = _reported_speech(q, facts, retold) or fact
        more = next(
            (r for r in retellings if r not in fact and not _same_fact(r, {fact}) and _adds_figures(r, fact)),
            "",
        )
        quote = _speaker_quote(q, facts)
        # "What is the news?" when the lead has just told it from the same sentence: asked once
        told_by_lead = (
            q.aspect == "about" and facts.kind != "film" and lead in [retold.of(i) for i in q.evidence]
        )
        if not fact and told_by_lead and len(planned) - len(skipped) > MIN_ANSWERS:
            skipped.append(q)  # nothing to say in the draft's own words: the question is left out
            continue
        if not fact and q.needs and sparing and len(planned) - len(skipped) > MIN_ANSWERS:
            skipped.append(q)  # a sum or a date no sentence says with what it is: no quoted list of them
            continue
        if not fact:
            fact, quote = "", quote or short_quote(q, facts, source)
        answer = _Answer(
            q.question,
            q.aspect,
            fact,
            more if q.aspect not in ("quote",) else "",
            quote,
            "" if q.short else short_quote(q, facts, source),
            q.fallback if q.fallback != fact else "",
        )
        if quote and any(quote == a.quote for a in answers):
            answer.quote = ""
        if answer.more and answer.quote:
            answer.more = ""  # at most a fact, one more sentence or one quote: a short answer
        if check_answer(answer.text(), retold.index):
            # "The date given is March." can name a date the source gives for something else: the
            # answer with its retold evidence, else nothing (better said less than said wrong)
            answer.fact = " ".join(part for part in (answer.fact, more) if part) if more else ""
            answer.more = ""
            unsupported = not answer.fact or check_answer(answer.text(), retold.index)
            if unsupported and len(planned) - len(skipped) > MIN_ANSWERS:
                skipped.append(q)
                continue
        told.update(part for part in (answer.fact, answer.more) if part)
        answers.append(answer)
    return answers


def _people_told(planned: PlannedQuestion, facts: Facts, retold: Retelling) -> str:
    """The people's sentences the check supports: where it rejects "A is the x, and B is a y", each person
    who is named in the planned answer is told alone, and those it supports are kept."""
    if not planned.short or retold.supported(planned.short):
        return planned.short
    named = [person for person in facts.people if person.role and f"{person.name} is " in planned.short]
    alone = [s for person in named for s in people_sentences([person]) if retold.supported(s)]
    rest = [
        s for s in split_sentences(planned.short) if " is " not in s or not any(p.name in s for p in named)
    ]
    return " ".join([*alone, *(s for s in rest if retold.supported(s))])


def _adds_figures(more: str, fact: str) -> bool:
    """Whether a second sentence says a figure the first does not (or says no figure at all): "Revenue rose
    6% to £2.9bn" after "revenue was up 6% to £2.9 billion" repeats it."""
    figures = set(re.findall(r"\d+(?:\.\d+)?", more))
    return not figures or not figures <= set(re.findall(r"\d+(?:\.\d+)?", fact))


def _says(text: str, need: str) -> bool:
    """Whether a sentence says a needed date or figure, as a whole word or number."""
    return re.search(rf"(?<![\w.]){re.escape(need)}(?![\d])", text) is not None


def _retold_elsewhere(planned: PlannedQuestion, facts: Facts, retold: Retelling, told: set[str]) -> str:
    """For "What is the news?" whose evidence cannot be retold: the story's first retold sentence. (For
    other aspects another sentence with the aspect's words is often a weaker answer than the quote.)"""
    if planned.aspect != "about":
        return ""
    for sentence in facts.sentences[:4]:
        retelling = retold.of(sentence.index)
        if (
            retelling
            and retelling not in told
            and not _same_fact(retelling, told)
            and not re.search(r"\b(?:said|says|told)\b", retelling)
        ):
            return retelling
    return ""


def _speaker_quote(planned: PlannedQuestion, facts: Facts) -> str:
    """A speaker's own words from the evidence, short and attributed; empty when there are none."""
    for index in planned.evidence:
        sentence = facts.sentences[index].text
        speaker = facts.quotes.get(index)
        direct = _DIRECT.search(sentence)
        if speaker and direct:
            first = split_sentences(direct.group(1))[0].rstrip(",")
            if 6 <= len(first.split()) <= MAX_QUOTE_WORDS:
                return f"{speaker} said: “{as_inner_quote(first)}”"
    return ""


def _reported_speech(planned: PlannedQuestion, facts: Facts, retold: Retelling) -> str:
    """What a speaker said, in reported speech retold from the source ("X, the manager, said ..."),
    before the speaker's own words."""
    speaker = next((facts.quotes[i] for i in planned.evidence if i in facts.quotes), "")
    surname = speaker.split()[-1] if speaker else ""
    for sentence in facts.sentences:
        if surname and surname in sentence.text and not sentence.text.startswith(("“", '"')):
            retelling = retold.of(sentence.index)
            if retelling and re.search(r"\b(?:said|says|told)\b", retelling):
                return retelling
    return ""


def _copied_words(text: str, source: SourceDocument) -> float:
    return text_share(text, source) * len(text.split())


def shorter_title(title: str, retold: Retelling) -> str:
    """The title cut where its first phrase ends ("Storm leaves thousands without power"), when the check
    supports the cut; the title itself otherwise."""
    boundary = re.compile(r",\s|\s(?=(?:after|as|despite|amid|while|but|with|across|over)\s)")
    cuts = [m.start() for m in boundary.finditer(title) if len(title[: m.start()].split()) >= 4]
    for cut in cuts:
        head = title[:cut].rstrip(" ,:")
        says_news = re.search(r"(?<![’'])\b[a-z]{2,}(?:s|ed)\b|\b(?:beat|won|may|will|to)\b", head)
        if (
            says_news
            and head.count('"') % 2 == 0
            and not re.search(r"\b(?:not|no|never)\b", title[cut:])
            and retold.supported(head, "title")
        ):
            return head
    return title


def published_share(draft: Draft, source: SourceDocument) -> float:
    """The copied share of the draft as it is published: with the credit line the pipeline ends it with
    (which names the source's headline, so it counts)."""
    return copied_share(replace(draft, outro=source.credit_line()), source)


def _asked_once(draft: Draft) -> Draft:
    """The draft without a "What is the news?" answer that repeats the lead or another answer, word for word
    or fact for fact (the same answer to two questions), nor any answer that repeats another word for word,
    while more than ``MIN_ANSWERS`` are left. The kind's own question keeps its answer; the general one goes."""
    items = list(draft.faq)

    def first(item: FaqItem) -> str:
        return split_sentences(item.answer)[0] if item.answer else ""

    def told_elsewhere(item: FaqItem) -> bool:
        others = [other for other in items if other is not item]
        told = {draft.lead, *(first(other) for other in others)}
        return any(item.answer == other.answer for other in others) or (
            bool(first(item)) and _same_fact(first(item), told)
        )

    for item in [item for item in items if _GENERAL.match(item.question)]:
        if len(items) > MIN_ANSWERS and told_elsewhere(item):
            items.remove(item)  # the general question gives way first
    for at in range(len(items) - 1, 0, -1):
        if len(items) > MIN_ANSWERS and any(items[at].answer == item.answer for item in items[:at]):
            del items[at]  # then the later of two questions with the same answer
    return replace(draft, faq=tuple(items)) if len(items) < len(draft.faq) else draft


#: The general question every kind may ask: the one that gives way when its answer is told elsewhere.
_GENERAL = re.compile(r"^What is the news\b")


def _filled(draft: Draft, facts: Facts, retold: Retelling, short_lead: str) -> Draft:
    """A lead and a body that tell the news where the budget left them short: the lead that only said what
    the answers cover gives way to the news told short, and a body of fewer than two sentences takes the
    story's facts told short (``Retelling.compact``), copying a few of the source's words where none can be
    told without; each only while the published draft stays within ``SHARE_TARGET`` (or copies no more
    than it did)."""
    source = retold.source

    def within(candidate: Draft) -> bool:
        # a sentence in the draft's own words is welcome even in a draft over the target: it lowers the share
        return published_share(candidate, source) <= max(SHARE_TARGET, published_share(draft, source))

    if _META.search(draft.lead) and short_lead and within(replace(draft, lead=short_lead)):
        draft = replace(draft, lead=short_lead)
    body = [p for p in draft.body if not _META.search(p)]
    count = sum(len(split_sentences(p)) for p in body)
    if count >= 2:
        return replace(draft, body=tuple(body)) if body != list(draft.body) else draft
    said = {draft.lead, *(s for p in body for s in split_sentences(p))}
    said |= {s for item in draft.faq for s in split_sentences(item.answer)}
    more: list[str] = []
    for most_copied in (0, 8):
        for sentence in facts.sentences:
            if count + len(more) >= 2:
                break
            if sentence.text.startswith(("“", '"', "‘")):
                continue
            for told in retold.compact(sentence.index, most_copied=most_copied):
                if told in said or _same_fact(told, said) or _SPOKEN.search(told):
                    continue
                trial = replace(draft, body=(*body, " ".join([*more, told])))
                if within(trial):
                    more.append(told)
                    said.add(told)
                break
    if more:
        body.append(" ".join(more))
    return replace(draft, body=tuple(body or draft.body))


#: A sentence about the draft itself rather than the news ("This explainer covers …", "few details").
_META = re.compile(r"\bThis explainer covers\b|\bgives few details\b|\bFew details are known\b")


def _within_budget(
    title: str,
    lead: str,
    body: list[str],
    answers: list[_Answer],
    source: SourceDocument,
    film: bool,
    short_title: str = "",
    spare: tuple[str, ...] = (),
    own_title: str = "",
    short_lead: str = "",
    filler: tuple[str, ...] = (),
    also_key: frozenset[str] = frozenset(),
    spare_title: str = "",
) -> Draft:
    """Cut copied words until the share fits, most copied first: the second sentences and quotes of answers
    that are not the kind's key ones; the body's sentences down to one; the questions that are not key
    whose answers are mostly the source's words (keeping four); the key answers' second sentences and
    quotes; the body's last sentence for a line in the draft's own words; and last the answers that are a
    quote alone, cut to their first words; a title from the kind's first fact (``own_title``) when it copies
    less than the headline's. Saying less beats copying more."""
    kept = list(answers)
    paragraphs = [split_sentences(paragraph) for paragraph in body]
    news = [lead]
    heading = [title]

    def rebuilt() -> Draft:
        faq = tuple(FaqItem(a.question, a.text()) for a in kept if a.text())
        lead_now = news[0]
        # a sentence the lead tells (the news told short took the lead) is not told again
        text = tuple(
            " ".join(s for s in p if s != lead_now) for p in paragraphs if any(s != lead_now for s in p)
        )
        told = " ".join(item.answer for item in faq)
        # the body says in the draft's own words what the answers leave out: who the people are, the sums
        extra = [s for s in spare if s not in told and not _same_fact(s, set(split_sentences(told)))]
        lead_text = guide([a.aspect for a in kept if a.text()], film) if news[0] is GUIDE else news[0]
        # a body of fewer than BODY_SENTENCES sentences takes the story's other facts, told short in the
        # draft's own words, that neither the lead, the answers nor the body tell yet
        said = {lead_text, *split_sentences(told), *(s for p in text for s in split_sentences(p))}
        count = sum(len(split_sentences(p)) for p in text)
        more: list[str] = []
        for sentence in filler:
            if count + len(more) >= BODY_SENTENCES:
                break
            if sentence not in said and not _same_fact(sentence, said):
                more.append(sentence)
                said.add(sentence)
        if more:
            text += (" ".join(more),)
        if extra:
            text += (" ".join(extra[:2]),)
        text = text or (_short_on_details(source),)
        return Draft(heading[0], lead_text, text, faq, "")

    def fits() -> bool:
        return published_share(rebuilt(), source) <= SHARE_TARGET

    def key(answer: _Answer) -> bool:
        return (
            answer is answers[0]
            or answer.aspect in KEY_ASPECTS | also_key
            or (film and answer.aspect in FILM_KEYS)
        )

    def extras(items: list[_Answer]) -> list[_Answer]:
        return sorted(items, key=lambda a: -_copied_words(a.more + " " + a.quote, source))

    def drop_body_sentence(least: int) -> bool:
        places = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]
        if len(places) <= least:
            return False
        i, j = max(places, key=lambda ij: (_copied_words(paragraphs[ij[0]][ij[1]], source), ij))
        if _copied_words(paragraphs[i][j], source) == 0:
            return False
        del paragraphs[i][j]
        paragraphs[:] = [p for p in paragraphs if p]
        return True

    for answer in extras([a for a in kept if not key(a)]):
        if fits():
            return rebuilt()
        if answer.fact:
            answer.more, answer.quote = "", ""
    for answer in [a for a in kept if not key(a) and a.fact]:
        if fits() or len(kept) <= MIN_ANSWERS:
            break
        others = {a.fact for a in kept if a is not answer and a.fact} | {lead}
        if _same_fact(answer.fact, others):
            kept.remove(answer)  # "What is the news?" told by the lead or an answer before: asked once
    for answer in kept:
        if not answer.fact and answer.quote and not fits() and not key(answer):
            answer.quote = cut_quote(answer.quote)
    for answer in kept:
        # a sum retold mostly in the source's words gives way to the sum said with its label
        if not fits() and answer.fallback and text_share(answer.fact, source) > 0.5:
            answer.fact, answer.more, answer.quote = answer.fallback, "", ""
    while not fits() and drop_body_sentence(1):
        pass
    for answer in extras([a for a in kept if key(a)]):
        # a key answer's second sentence goes before a whole question does: one question fewer tells less
        if fits():
            return rebuilt()
        if answer.fact:
            answer.more, answer.quote = "", ""
    for answer in kept:
        # and a quotation cut to its first words, before a question goes
        if fits():
            break
        if not answer.fact and answer.quote:
            answer.quote = cut_quote(answer.quote)
    for answer in sorted([a for a in kept if not key(a)], key=lambda a: -_copied_words(a.text(), source)):
        if fits() or len(kept) <= 4:
            break
        if text_share(answer.text(), source) > 0.3:
            kept.remove(answer)
    while not fits() and drop_body_sentence(0):
        pass
    for answer in sorted([a for a in kept if not key(a)], key=lambda a: -_copied_words(a.text(), source)):
        if fits() or len(kept) <= MIN_ANSWERS:
            break
        if text_share(answer.text(), source) > 0.5:
            kept.remove(answer)
    for answer in kept:
        if fits():
            break
        if not answer.fact and answer.quote:
            answer.quote = cut_quote(answer.quote)
    if not fits() and any(_same_fact(a.fact, {lead}) for a in kept if a.fact):
        # the lead's fact is an answer's too: the news told short in the draft's own words, else the lead
        # only says what follows (copying less beats telling the news twice, and beats quoting the source's
        # sentences instead of retelling them)
        news[0] = short_lead or GUIDE
    for answer in kept:
        # a "retelling" that is nearly the source's sentence word for word is the source's: quoted,
        # attributed and cut short
        if fits():
            break
        if answer.source_quote and answer.fact != lead and text_share(answer.fact, source) > 0.85:
            answer.fact, answer.more, answer.quote = "", "", cut_quote(answer.source_quote)
    while not fits() and drop_body_sentence(0):
        pass
    for answer in sorted(kept, key=lambda a: -_copied_words(a.fact, source)):
        # last: a retold answer still mostly the source's words gives way to the source's first words,
        # quoted and attributed (saying less beats copying more)
        if fits():
            break
        if answer.source_quote and text_share(answer.fact, source) > 0.5:
            quoted = cut_quote(answer.source_quote)
            if _copied_words(quoted, source) <= 0.6 * _copied_words(answer.text(), source):
                # only when the quote saves many copied words: a quote cut to its first words
                # ("The mountain pass between Vell and Orre …") tells less than the retold fact
                answer.fact, answer.more, answer.quote = "", "", quoted
    if not fits() and short_title:
        heading[0] = short_title  # the news in the headline's first phrase
    if not fits() and own_title and _copied_words(own_title, source) < _copied_words(heading[0], source):
        heading[0] = own_title  # the kind's first fact, built from the facts: fewer of the source's words
    if not fits() and spare_title and _copied_words(spare_title, source) < _copied_words(heading[0], source):
        heading[0] = spare_title  # a title that copies nothing, when the draft's own copies too much
    if not fits() and news[0] != short_lead:
        news[0] = short_lead or GUIDE  # the news told short, else the answers tell it
    if not fits() and news[0] == short_lead and _copied_words(short_lead, source) > 0:
        news[0] = GUIDE  # and when even that copies too much, the answers tell it
    for answer in sorted(kept, key=lambda a: (a.aspect == "about", -_copied_words(a.text(), source))):
        # and when even that copies too much, the answers that are only a quotation go, past the minimum
        if fits() or len(kept) <= MIN_ANSWERS + 1:
            break
        if not answer.fact and not key(answer):
            kept.remove(answer)
    for answer in sorted(kept, key=lambda a: -_copied_words(a.text(), source)):
        # last, a quotation answering one of the kind's later questions (why it matters, the warnings): the
        # copy limit is the rule, and the kind's first question always stays
        if fits() or len(kept) <= MIN_ANSWERS:
            break
        if not answer.fact and answer.aspect not in FIRST_ASPECTS and answer is not kept[0]:
            kept.remove(answer)
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
        retold = Retelling(facts, source)
        short_lead = news_lead(facts, retold)
        lead = _lead(planned, retold, facts, source, short_lead)
        answers = [a for a in _answers(planned, facts, source, retold, lead) if a.text()]
        if len(answers) <= MIN_ANSWERS:
            # a source with little: the questions left out to say nothing twice or to list no sums come
            # back, quoted, so that the draft keeps the answers it needs even when the check drops one
            answers = [a for a in _answers(planned, facts, source, retold, lead, sparing=False) if a.text()]
        body = _checked_body(_body(facts, planned, retold, lead), source)
        title = _title(source, facts, planned, retold, lead)
        drafted = _within_budget(
            title,
            lead,
            body,
            answers,
            source,
            facts.kind == "film",
            shorter_title(title, retold),
            spare_sentences(facts, planned, retold),
            _key_fact_title(planned, source, retold, facts.kind),
            short_lead,
            more_body(facts, retold),
            # a deal's worth is a business story's results: asked for whatever it copies
            frozenset({"money"}) if facts.kind == "business" else frozenset(),
            uncopied_title(source, facts, retold, lead),
        )
        return _filled(_asked_once(drafted), facts, retold, short_lead)

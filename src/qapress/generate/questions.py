"""Which questions a reader would ask of a source, chosen from what its text covers, and their evidence.

Each aspect (timing, people, story, money, figures, quotes, what next, places) is offered only when the
source has facts for it; its question is worded for the kind of story, and its evidence is the source's own
sentences that carry those facts. Pure: ``Facts`` in, ``PlannedQuestion`` list out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qapress.generate import patterns as p
from qapress.generate.facts import Facts, Mention, Person
from qapress.generate.prose import labelled_amount, people_sentences
from qapress.generate.text import join_list, words

MIN_QUESTIONS = 3
MAX_QUESTIONS = 6
MAX_EVIDENCE_WORDS = 90

TIMING_VERBS = re.compile(
    r"\b(?:releas\w*|shoot\w*|film\w*|start\w*|open\w*|launch\w*|vote|votes|voting|clos\w*|take effect|"
    r"begin\w*|arriv\w*|premier\w*|kick\w* off|play\w*|held|due|deadline|schedul\w*|publish\w*|"
    r"come into force|rollout|roll out|available|ship\w*|complet\w*|expected|window|debut\w*|on sale)\b",
    re.IGNORECASE,
)
CAST_WORDS = re.compile(
    r"\b(?:play|plays|playing|star\w*|role|roles|cast\w*|co-stars?|actor|actress)\b", re.I
)
STORY_WORDS = re.compile(
    r"\b(?:story|stories|follows|expands?|expanding|plot|novel|adapt\w*|characters?|sequel|centres|"
    r"centers|focus\w*|found|finds|shows?|showed|announced|agreed|approved|passed|won|beat|unveil\w*|"
    r"launch\w*|plans?|aims?|reveal\w*|discover\w*|confirm\w*)\b",
    re.IGNORECASE,
)
SIGNIFICANCE = re.compile(
    r"\b(?:first|record|largest|biggest|significant|important|because|means|historic|major|key|"
    r"breakthrough|impact|affect\w*)\b",
    re.IGNORECASE,
)
SCORE = re.compile(r"\b\d{1,2}\s?[-–]\s?\d{1,2}\b")


@dataclass(frozen=True)
class PlannedQuestion:
    """A question, the short direct answer built from facts (new words), and the sentences that back it."""

    aspect: str
    question: str
    short: str
    evidence: tuple[int, ...]
    #: what an answer retold from the evidence must say (the date asked about, the sums' figures): a
    #: retelling without any of these answers another question
    needs: tuple[str, ...] = ()
    #: the answer in the draft's own words when no retelling says what is needed ("The budget is £6.5m.")
    fallback: str = ""


def _year(mention: Mention) -> int:
    years = [int(year) for year in p.YEAR_IN.findall(mention.text)]
    return max(years) if years else 0


def _specificity(mention: Mention) -> int:
    """How precise a date is: a day of a month beats a month, which beats a weekday or a vague phrase."""
    if re.search(r"\d{1,2}", re.sub(r"(?:19|20)\d{2}", "", mention.text)):
        return 3
    if p.MONTH_NAME.search(mention.text) or re.search(r"quarter|Q[1-4]", mention.text):
        return 2
    return 1


def display_date(mention: Mention) -> str:
    return re.sub(r"^(?:by|in|since|until|from|before|after|on)\s+", "", mention.text, flags=re.IGNORECASE)


_PREMIERE = re.compile(r"\b(?:world |UK |European |US )?premiere\b", re.IGNORECASE)


def _date_clause(sentence: str, date: str) -> str:
    """The clause that says what happens on the date ("Work is due to start in September."), when it is
    short and stands on its own; empty otherwise."""
    at = sentence.find(date)
    if at < 0:
        return ""
    head = sentence[: at + len(date)]
    start = max((m.end() for m in re.finditer(r"(?:^|[,;:]\s|\s[—–]\s)", head)), default=0)
    clause = head[start:].strip()
    first = clause.split()[0].lower() if clause.split() else ""
    if not 4 <= len(clause.split()) <= 8 or first in ("which", "who", "that", "and", "but", "or", "where"):
        return ""
    if re.search(r"[“”\"]", clause) or not re.search(
        r"\b(?:is|are|was|were|will|be|has|have|had|\w+ed)\b", clause
    ):
        return ""
    return clause[0].upper() + clause[1:] + "."


def _fits(indices: list[int], facts: Facts) -> tuple[int, ...]:
    """Keep evidence short: the first sentence always, the next ones while under the word budget."""
    kept: list[int] = []
    total = 0
    for index in indices:
        count = len(facts.sentences[index].text.split())
        if kept and total + count > MAX_EVIDENCE_WORDS:
            break
        kept.append(index)
        total += count
    return tuple(kept)


def _subject_words(facts: Facts) -> set[str]:
    return {word for word in words(facts.subject) if not word.isdigit() and len(word) > 2}


class _Planner:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.used: set[int] = set()
        self.subject = facts.subject_in_text
        self.text_words = set(words(" ".join(sentence.text for sentence in facts.sentences)))

    def has(self, *keywords: str) -> bool:
        return any(keyword in self.text_words for keyword in keywords)

    # --- aspects -------------------------------------------------------------------------------------------

    def when(self) -> PlannedQuestion | None:
        facts = self.facts
        dated = sorted({mention.sentence for mention in facts.dates})
        if not dated:
            return None

        def score(index: int) -> tuple[int, int, int]:
            text = facts.sentences[index].text
            undated = p.DATE.sub(" ", text)
            # What is ahead comes first: a future or hedged sentence about timing.
            forward = bool(p.HEDGES.search(undated) or p.FUTURE.search(undated)) and bool(
                TIMING_VERBS.search(text)
            )
            mentions = facts.in_sentence("date", index)
            latest = max((_year(mention) for mention in mentions), default=0)
            specific = max((_specificity(mention) for mention in mentions), default=0)
            return int(forward), latest, specific

        ranked = sorted(dated, key=lambda index: (tuple(-part for part in score(index)), index))
        best = ranked[0]
        published = [i for i in dated if re.search(r"\bpublished\b", facts.sentences[i].text)]
        if facts.kind == "science" and published and not score(best)[0]:
            mention = facts.in_sentence("date", published[0])[0]
            return PlannedQuestion(
                "when", "When was the study published?", f"It was published {mention.text}.", (published[0],)
            )
        mentions = facts.in_sentence("date", best)
        key_date = max(mentions, key=lambda m: (_year(m), _specificity(m), -mentions.index(m)))
        date_text = display_date(key_date)
        clause = _date_clause(facts.sentences[best].text, key_date.text)
        if self._when_question(best) == "When was the study published?":
            short = f"It was published {key_date.text}."
        elif score(best)[0] and p.HEDGES.search(p.DATE.sub(" ", facts.sentences[best].text)):
            short = f"The date mentioned is {date_text}, but it is not settled."
        elif clause:
            short = clause
        elif facts.kind == "film" and (premiere := _PREMIERE.search(facts.sentences[best].text)):
            # "will close on October 12 with the world premiere of ...": a premiere, not a release date
            short = f"{self.subject} has its {premiere.group().lower()} on {date_text}."
        else:
            short = ""  # "The date given is 2027." says nothing of what happens then: the evidence, retold
        second = [index for index in ranked[1:] if TIMING_VERBS.search(facts.sentences[index].text)]
        return PlannedQuestion(
            "when",
            self._when_question(best),
            short,
            _fits([best, *second[:1]], facts),
            needs=(date_text,),
            fallback=f"The date given is {date_text}.",
        )

    def _when_question(self, index: int) -> str:
        text = self.facts.sentences[index].text.lower()
        subject = self.subject
        if self.facts.kind == "film":
            return f"Is there a release date for {subject}?"
        for keyword, question in (
            ("final", "When is the final?" if self.facts.kind == "sport" else ""),
            ("election", "When is the election?"),
            ("vote", "When is the vote?"),
            ("take effect", "When does it take effect?"),
            ("into force", "When does it come into force?"),
            ("merger", "When is the merger expected to close?"),
            ("acquisition", "When is the deal expected to close?"),
            ("deal", "When is the deal expected to close?"),
            ("on sale", "When does it go on sale?"),
            ("launch", "When does it launch?"),
            ("available", "When will it be available?"),
            ("match", "When is the match?" if self.facts.kind == "sport" else ""),
            ("race", "When is the race?" if self.facts.kind == "sport" else ""),
            ("published", "When was the study published?"),
        ):
            if question and re.search(rf"\b{keyword}", text):
                return question
        return "What are the key dates?"

    def who(self) -> PlannedQuestion | None:
        facts = self.facts
        people = [person for person in facts.people if person.name != facts.subject]
        if not people:
            return None
        cast_sentences = [s.index for s in facts.sentences if CAST_WORDS.search(s.text)]
        if facts.kind == "film" and cast_sentences:
            cast = [
                person
                for person in people
                if any(
                    i in person.sentences and person.name in facts.sentences[i].text for i in cast_sentences
                )
            ]
            if cast:
                names = join_list([person.name for person in cast[:6]])
                evidence = self._covering(cast[:6])
                hedged = p.HEDGES.search(" ".join(facts.sentences[i].text for i in cast_sentences))
                verb = "is" if len(cast) == 1 else "are"
                return PlannedQuestion(
                    "who",
                    f"Who could be in the cast of {self.subject}?"
                    if hedged
                    else f"Who is in the cast of {self.subject}?",
                    f"{names} {verb} {'linked to' if hedged else 'in'} the cast.",
                    evidence,
                )
        chosen = people[:5]
        described = " ".join(people_sentences(chosen[:4]))
        if facts.kind == "sport":
            question = "Who are the key people?"
        elif facts.kind == "science" and self.has("researchers", "scientists", "team", "study"):
            question = "Who did the research?"
        else:
            question = "Who is involved?"
        return PlannedQuestion("who", question, described, self._covering(chosen))

    def _covering(self, people: list[Person]) -> tuple[int, ...]:
        """Few sentences that name as many of these people as possible (greedy set cover)."""
        remaining = {person.name for person in people}
        chosen: list[int] = []
        while remaining and len(chosen) < 3:
            best = max(
                self.facts.sentences,
                key=lambda s: (sum(name in s.text for name in remaining), -s.index),
            )
            covered = {name for name in remaining if name in best.text}
            if not covered:
                break
            chosen.append(best.index)
            remaining -= covered
        return _fits(chosen, self.facts)

    def about(self) -> PlannedQuestion:
        facts = self.facts
        subject_words = _subject_words(facts)

        def score(index: int) -> float:
            sentence = facts.sentences[index]
            tokens = set(words(sentence.text))
            value = 3.0 * bool(subject_words & tokens)
            value += (2.5 if facts.kind == "film" else 1.0) * len(STORY_WORDS.findall(sentence.text))
            if facts.kind == "film":
                value += 2.0 if index < 2 else (1.0 if index < 5 else 0.0)
            else:
                value += 6.0 if index == 0 else (2.0 if index < 3 else 0.0)
            value += 0.5 * sum(len(facts.in_sentence(kind, index)) for kind in ("date", "money", "percent"))
            value += 0.5 * len(facts.people_in(index))
            if len(sentence.text.split()) < 10 or sentence.text.startswith(("“", '"')):
                value -= 5.0
            return value - (3.0 if index in self.used else 0.0)

        best = max(range(len(facts.sentences)), key=lambda index: (score(index), -index))
        if facts.kind == "film":
            question = f"What is {self.subject} about?"
        elif facts.kind == "science" and self.has("study", "researchers", "scientists", "findings"):
            question = "What did the researchers find?"
        elif facts.kind == "technology":
            question = f"What is new with {self.subject}?"
        else:
            question = "What is the news?"
        return PlannedQuestion("about", question, "", (best,))

    def money(self) -> PlannedQuestion | None:
        facts = self.facts
        if not facts.money:
            return None
        indices = sorted({mention.sentence for mention in facts.money})
        change = next(
            (
                i
                for i in indices
                if p.CHANGE_FROM_TO.search(facts.sentences[i].text)
                and len(facts.in_sentence("money", i)) >= 2
            ),
            None,
        )
        if change is not None:
            first, second = facts.in_sentence("money", change)[:2]
            direction = "down" if _amount(second.text) < _amount(first.text) else "up"
            short = f"{second.text}, {direction} from {first.text}."
            evidence = [change, *[i for i in indices if i != change][:1]]
            needs: tuple[str, ...] = ()
            fallback = ""
        else:
            # the story's first sum (a deal's worth), then the sentence with most sums, retold: each sum
            # with what it is, never a bare list of sums
            short = ""
            most = sorted(indices, key=lambda i: (-len(facts.in_sentence("money", i)), i))
            evidence = list(dict.fromkeys([indices[0], *most]))[:2]
            labelled = [
                labelled_amount(facts.sentences[m.sentence].text, m.text)
                for m in facts.money
                if m.sentence in evidence
            ]
            needs = tuple(_figure(m.text) for m in facts.money if m.sentence in evidence)
            fallback = " ".join(dict.fromkeys(text for text in labelled if text))
        if facts.kind == "film":
            question = f"What is the budget for {self.subject}?"
        elif facts.kind == "business" and self.has("deal", "acquisition", "merger", "takeover", "buy"):
            question = "How much is the deal worth?"
        elif facts.kind == "politics":
            question = "How much will it cost?"
        else:
            question = "How much money is involved?"
        return PlannedQuestion(
            "money", question, short, _fits(evidence, facts), needs=needs, fallback=fallback
        )

    def figures(self) -> PlannedQuestion | None:
        facts = self.facts
        scores = [s.index for s in facts.sentences if SCORE.search(s.text)]
        if facts.kind == "sport" and scores:
            result = SCORE.search(facts.sentences[scores[0]].text)
            assert result is not None
            return PlannedQuestion(
                "figures", "What was the score?", f"The score was {result.group()}.", (scores[0],)
            )
        counted = [
            m
            for m in facts.percents + facts.numbers
            if not re.fullmatch(r"(?:19|20)\d{2}", m.text) and not self._in_a_name(m)
        ]
        if len(counted) < 2:
            return None
        by_sentence: dict[int, int] = {}
        for mention in counted:
            by_sentence[mention.sentence] = by_sentence.get(mention.sentence, 0) + 1
        ranked = sorted(by_sentence, key=lambda i: (i in self.used, -by_sentence[i], i))
        question = "How big is the effect?" if facts.kind == "science" else "What do the numbers show?"
        # the sentences with most figures, retold: each number with what it counts, never a bare list
        evidence = _fits(ranked[:2], facts)
        needs = tuple(_figure(m.text) for m in counted if m.sentence in evidence)
        return PlannedQuestion("figures", question, "", evidence, needs=needs)

    def _in_a_name(self, mention: Mention) -> bool:
        """“Fold 14”, “Slate 13”: a number that is part of a product's or a work's name counts nothing."""
        text = self.facts.sentences[mention.sentence].text
        return bool(re.search(rf"\b[A-Z][\w\-]*\s{re.escape(mention.text)}(?![\d,.]\d)", text))

    def _with_unit(self, mention: Mention) -> str:
        """``12 million phones`` rather than ``12``: the number with the words that say what it counts."""
        text = self.facts.sentences[mention.sentence].text
        match = re.search(
            rf"(?<![\w.]){re.escape(mention.text)}((?:\s(?:million|billion|thousand))?(?:\s[a-z][a-z\-]+)?)",
            text,
        )
        unit = match.group(1) if match else ""
        # "14 flood alerts": a noun before the counted one
        two = re.match(
            r"\s([a-z][a-z\-]+)\s([a-z][a-z\-]+s)\b", text[match.end(1) - len(unit) :] if match else ""
        )
        if (
            two
            and mention.kind != "percent"
            and two.group(1) not in ("was", "is", "has", "this", "its", "and", "of")
        ):
            return f"{mention.text} {two.group(1)} {two.group(2)}"
        last = unit.split()[-1] if unit.split() else ""
        counted_noun = last.endswith("s") or last in (
            "people",
            "staff",
            "children",
            "men",
            "women",
            "million",
            "billion",
            "thousand",
        )
        if mention.kind == "percent" or not counted_noun or last in ("was", "is", "has", "this", "its"):
            unit = (
                re.sub(r"\s[a-z][a-z\-]+$", "", unit)
                if last not in ("million", "billion", "thousand")
                else unit
            )
        return mention.text + unit

    def quote(self) -> PlannedQuestion | None:
        for index, speaker in self.facts.quotes.items():
            if index not in self.used:
                return PlannedQuestion("quote", f"What did {speaker} say?", "", (index,))
        return None

    def next(self) -> PlannedQuestion | None:
        candidates = [
            s.index
            for s in self.facts.sentences
            if s.index not in self.used and p.FUTURE.search(s.text) and s.index > 0
        ]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: (len(p.FUTURE.findall(self.facts.sentences[i].text)), i))
        return PlannedQuestion("next", "What is next?", "", (best,))

    def where(self) -> PlannedQuestion | None:
        facts = self.facts
        if not facts.places:
            return None
        for sentence in facts.sentences:
            if sentence.index not in self.used and any(place in sentence.text for place in facts.places):
                return PlannedQuestion("where", "Where is this happening?", "", (sentence.index,))
        return None

    def why(self) -> PlannedQuestion | None:
        candidates = [
            s.index for s in self.facts.sentences if s.index not in self.used and SIGNIFICANCE.search(s.text)
        ]
        if not candidates:
            candidates = [s.index for s in self.facts.sentences if s.index not in self.used]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: (len(SIGNIFICANCE.findall(self.facts.sentences[i].text)), -i))
        return PlannedQuestion("why", "Why does it matter?", "", (best,))


def _figure(text: str) -> str:
    """The digits of an amount as a retold sentence keeps them ("£2.5 million" is "£2.5m" in house style)."""
    found = re.search(r"\d[\d,.]*\d|\d", text)
    return found.group() if found else text


def _amount(text: str) -> float:
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    value = float(number.group().replace(",", "")) if number else 0.0
    scale = re.search(r"(thousand|million|billion|trillion|bn|mn|m|k)\b", text, re.IGNORECASE)
    return value * (p.SCALES[scale.group(1).lower()] if scale else 1.0)


def choose_questions(facts: Facts, first: list[PlannedQuestion] | None = None) -> list[PlannedQuestion]:
    """The 3 to 6 questions a reader of this source would ask, in reading order; fewer only for tiny sources.

    ``first``: the kind's key questions, asked before the generic aspects; an aspect they already cover
    (the score, what comes next, why it matters) is not asked twice."""
    if not facts.sentences:
        return []
    planner = _Planner(facts)
    chosen: list[PlannedQuestion] = list(first or [])[: MAX_QUESTIONS - 1]
    for first_question in chosen:
        planner.used.update(first_question.evidence)
    covered = {q.aspect for q in chosen} | ({"figures"} if "score" in {q.aspect for q in chosen} else set())
    covered |= {"about"} if covered & {"won", "decided", "found"} else set()
    covered |= {"money", "figures"} if "results" in covered else set()
    covered |= {"when"} if "next" in covered and facts.kind == "sport" else set()
    aspects: list[Callable[[], PlannedQuestion | None]] = [
        planner.when,
        planner.who,
        planner.about,
        planner.money,
        planner.figures,
        planner.quote,
        planner.next,
        planner.where,
    ]
    for aspect in aspects:
        if len(chosen) >= MAX_QUESTIONS - 1:
            break
        if aspect.__name__ in covered:
            continue
        planned = aspect()
        if planned is None or any(q.question == planned.question for q in chosen):
            continue
        if chosen and set(planned.evidence) <= planner.used and planned.aspect in ("next", "where", "quote"):
            continue
        chosen.append(planned)
        planner.used.update(planned.evidence)
    while len(chosen) < MIN_QUESTIONS:
        extra = planner.why()
        if extra is None or any(q.question == extra.question or q.aspect == "why" for q in chosen):
            break
        chosen.append(extra)
        planner.used.update(extra.evidence)
    return chosen

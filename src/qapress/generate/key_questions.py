"""The questions a reader of each kind of story asks first, answered in the draft's own words.

Sport: who won, the full score, what comes next. Politics and local news: what was decided, the vote, what
changes for residents. Business: the results with labelled figures. Science: what was found, by whom, why
it matters. Film and TV: release, cast, story, where to watch (the release, cast and story questions are the
generic planner's, worded for film). Each short answer is rebuilt from facts ``story`` read out of one source
sentence, and that sentence is its evidence.
"""

from __future__ import annotations

import re

from qapress.generate import story
from qapress.generate.facts import Facts
from qapress.generate.prose import people_sentences, results_sentences
from qapress.generate.questions import SIGNIFICANCE, PlannedQuestion
from qapress.generate.text import join_list

RESIDENTS = re.compile(
    r"\b(?:residents|households|homes|families|passengers|shoppers|drivers|people)\b", re.I
)
CHANGE = re.compile(
    r"\b(?:will|would|must|can|from now|bans?|remove\w*|cut\w*|creat\w*|clos\w*|open\w*|charg\w*|fines?|"
    r"start\w*|take effect|cost\w*|lower\w*|rais\w*)\b",
    re.I,
)
WATCH = re.compile(
    r"\b(?:streaming|stream\w*|cinemas?|theatres|theaters|on (?:BBC|ITV|Channel|Netflix|HBO|Disney|Apple|"
    r"Amazon|Prime)|release in|released in|available on|broadcast)\b"
)
FINDING = re.compile(r"\b(?:found|find|finds|showed|shows|suggests?|discovered|revealed|concluded)\b", re.I)
RESEARCH_ORG = re.compile(r"\b(?:University|Institute|Institution|College|Laboratory|Centre|Center|School)\b")
#: Words of a local story: what changes for the people who live there is its key question.
LOCAL = re.compile(r"\b(?:residents|council|councillors|households|schools|roads|neighbours|shelter)\b", re.I)
MAY_MONTH = re.compile(r"\bMay\s+\d|\d\s+May\b")


def _safe(text: str, facts: Facts, index: int) -> bool:
    """Whether a rebuilt sentence may lean on this source sentence: a date in May reads as a hedge to the
    check, so such sentences are quoted, never rebuilt."""
    return not MAY_MONTH.search(facts.sentences[index].text) and bool(text)


def sport(facts: Facts) -> list[PlannedQuestion]:
    found = story.results(facts)
    if not found:
        return []
    result = found[0]
    won = f"{result.winner} won, beating {result.loser} {result.score}"
    won += (
        (f" on {result.day}" if result.day else "") + (f" at {result.ground}" if result.ground else "") + "."
    )
    planned = [
        PlannedQuestion(
            "won", "Who won?", won if _safe(won, facts, result.sentence) else "", (result.sentence,)
        ),
        PlannedQuestion(
            "score",
            "What was the score?",
            f"It finished {result.score} to {result.winner}.",
            (result.sentence,),
        ),
    ]
    nexts = story.fixtures(facts, result.winner)
    if nexts:
        fixture = nexts[0]
        short = f"{result.winner} will face {fixture.opponent} next"
        short += f", at {fixture.ground}." if fixture.ground else "."
        planned.append(
            PlannedQuestion(
                "next",
                "What is next?",
                short if _safe(short, facts, fixture.sentence) else "",
                (fixture.sentence,),
            )
        )
    return planned


def politics(facts: Facts, *, local: bool) -> list[PlannedQuestion]:
    found = story.decisions(facts)
    planned: list[PlannedQuestion] = []
    used: set[int] = set()
    if found:
        decision = found[0]
        text = story.Decision(
            decision.body, decision.verb, decision.what, None, decision.day, 0
        ).sentence_text()
        planned.append(PlannedQuestion("decided", "What was decided?", text, (decision.sentence,)))
        used.add(decision.sentence)
        if decision.votes:
            yes, no = decision.votes
            planned.append(
                PlannedQuestion(
                    "vote", "What was the vote?", f"The vote was {yes} to {no}.", (decision.sentence,)
                )
            )
    changes = [
        s.index
        for s in facts.sentences
        if s.index not in used and CHANGE.search(s.text) and not s.text.startswith(("“", '"'))
    ]
    if changes and (found or local):
        best = max(changes, key=lambda i: (len(CHANGE.findall(facts.sentences[i].text)), -i))
        # "What changes for residents?" reads as a claim about residents the check cannot place; the
        # question stays neutral and the answer says who is affected, in the source's words.
        planned.append(PlannedQuestion("changes", "What will change?", "", (best,)))
    return planned


def business(facts: Facts) -> list[PlannedQuestion]:
    found = story.figures(facts)
    if not any(figure.label not in ("shares", "share") for figure in found):
        return []  # a share price move alone is no set of results (a takeover, a profit warning)
    shown = found[:3]
    short = " ".join(results_sentences(shown))
    evidence = tuple(dict.fromkeys(figure.sentence for figure in shown))[:2]
    return [PlannedQuestion("results", "What were the results?", short, evidence)]


#: Someone a science story asks for comment, not one of the researchers.
OUTSIDER = re.compile(r"\b(?:not involved|independent|outside expert)\b", re.I)
#: What a finding bears on: lives, health, a threat, the world.
STAKES = re.compile(
    r"\b(?:deaths?|die|lives|threats?|risk|worldwide|global|patients|treatment|climate|millions? of|"
    # the authors' own warning of what could undo or follow from the finding
    r"warns?|warned|fragile|could (?:erase|undo|reverse|threaten|save|prevent))\b",
    re.I,
)
STUDY = re.compile(r"\b(?:study|studies|researchers|scientists|research team|journal|paper)\b", re.I)


def science(facts: Facts) -> list[PlannedQuestion]:
    planned: list[PlannedQuestion] = []
    if not STUDY.search(" ".join(s.text for s in facts.sentences)):
        return planned  # a health or data story without a study: no findings or researchers to ask about
    findings = [
        s.index for s in facts.sentences if FINDING.search(s.text) and not s.text.startswith(("“", '"'))
    ]
    if findings:
        best = max(
            findings,
            key=lambda i: (len(facts.in_sentence("number", i)) + len(facts.in_sentence("percent", i)), -i),
        )
        planned.append(PlannedQuestion("found", "What did the researchers find?", "", (best,)))
    # "Independent microbiologist Amara Singh, who was not involved in the research": no researcher
    researchers = [
        person
        for person in facts.people
        if person.role
        and not any(OUTSIDER.search(facts.sentences[i].text) for i in person.sentences)
        and not OUTSIDER.search(person.role)
    ][:3]
    places = [name for name in facts.organizations if RESEARCH_ORG.search(name)][:2]
    if researchers:
        short = " ".join(people_sentences(researchers))
        if places:
            short += (
                f" The institutions named are {join_list(places)}."
                if len(places) > 1
                else f" The institution named is {places[0]}."
            )
        evidence = tuple(sorted({min(person.sentences) for person in researchers}))[:2]
        planned.append(PlannedQuestion("by_whom", "Who did the research?", short, evidence))
    used = {i for q in planned for i in q.evidence}
    # the stakes in the story's own telling, not a speaker's quotation (a quoted answer copies)
    why = [
        s.index
        for s in facts.sentences
        if s.index not in used
        and (SIGNIFICANCE.search(s.text) or STAKES.search(s.text))
        and s.index not in facts.quotes
        and not s.text.startswith(("“", '"'))
    ]
    if why:
        best = max(
            why,
            key=lambda i: (
                len(SIGNIFICANCE.findall(facts.sentences[i].text))
                + len(STAKES.findall(facts.sentences[i].text)),
                -i,
            ),
        )
        planned.append(PlannedQuestion("why", "Why does it matter?", "", (best,)))
    return planned


def film(facts: Facts) -> list[PlannedQuestion]:
    watch = [s.index for s in facts.sentences if WATCH.search(s.text)]
    if not watch:
        return []
    subject = set(facts.subject.lower().split())

    def score(index: int) -> tuple[int, int]:
        text = facts.sentences[index].text
        return len(subject & set(text.lower().split())) + 2 * bool(re.search(r"\brelease", text)), -index

    return [PlannedQuestion("watch", "Where can I watch it?", "", (max(watch, key=score),))]


#: Per kind of news without a result or a vote: (aspect, question, the words of a sentence that answers it).
#: The answer is the best such sentence, quoted; none when no sentence has the words.
EVIDENCE_QUESTIONS: dict[str, tuple[tuple[str, str, re.Pattern[str]], ...]] = {
    "crime": (
        (
            "charged",
            "Who was charged or sentenced, and for what?",
            re.compile(
                r"\b(?:jailed|sentenced|charged|convicted|admitted|pleaded|found guilty|fined)\b", re.I
            ),
        ),
        (
            "court_next",
            "What happens next in court?",
            re.compile(
                r"\b(?:will appear|due to appear|trial|appeal|will be sentenced|remanded|bail)\b", re.I
            ),
        ),
    ),
    "weather": (
        (
            "forecast",
            "What is forecast, where and when?",
            re.compile(r"\b(?:expected|forecast|could fall|will bring|likely|gusts|rain|snow)\b", re.I),
        ),
        ("warnings", "Which warnings are in force?", re.compile(r"\bwarnings?\b", re.I)),
    ),
    "health": (
        (
            "changed",
            "What was found or changed, and for whom?",
            re.compile(r"\b(?:fell|rose|found|cut|improved|patients|waiting)\b", re.I),
        ),
    ),
    "transport": (
        (
            "changes",
            "What changes, from when, and for whom?",
            re.compile(
                r"\b(?:passengers|services|commuters|drivers|called off|from|will|timetable|fares)\b", re.I
            ),
        ),
    ),
    "environment": (
        (
            "happened",
            "What happened, and what is being done about it?",
            re.compile(r"\b(?:fined|spills?|polluted|released|cleared|restored|pleaded|ordered)\b", re.I),
        ),
    ),
    "culture": (
        (
            "happening",
            "What is happening, where and when?",
            re.compile(r"\b(?:play|show|dates?|tour|opens?|exhibition|festival|venue|on sale)\b", re.I),
        ),
    ),
}


def from_evidence(facts: Facts) -> list[PlannedQuestion]:
    """The kind's questions, each answered by the source sentence with most of its words (quoted answers)."""
    planned: list[PlannedQuestion] = []
    used: set[int] = set()
    for aspect, question, wanted in EVIDENCE_QUESTIONS.get(facts.kind, ()):
        candidates = [
            s.index
            for s in facts.sentences
            if s.index not in used and wanted.search(s.text) and not s.text.startswith(("“", '"'))
        ]
        if not candidates:
            continue
        ranked = sorted(candidates, key=lambda i: (-len(wanted.findall(facts.sentences[i].text)), i))
        used.add(ranked[0])
        # the next best sentence too: the answer when the best one is the lead's news, told already
        planned.append(PlannedQuestion(aspect, question, "", tuple(ranked[:2])))
    return planned


def _article(role: str) -> str:
    """“a marine biologist”, “an analyst”: a role as a noun phrase."""
    return ("an " if role[:1].lower() in "aeiou" else "a ") + role


def key_questions(facts: Facts) -> list[PlannedQuestion]:
    """The kind's key questions, in the order a reader asks them (none when the facts are not there)."""
    if facts.kind == "sport":
        return sport(facts)
    if facts.kind in ("politics", "local"):
        return politics(facts, local=facts.kind == "local")
    if facts.kind == "business":
        return business(facts)
    if facts.kind == "science":
        return science(facts)
    if facts.kind == "film":
        return film(facts)
    if facts.kind in EVIDENCE_QUESTIONS:
        planned = from_evidence(facts)
        if facts.kind == "weather" and LOCAL.search(" ".join(s.text for s in facts.sentences)):
            planned += [q for q in politics(facts, local=True) if q.aspect == "changes"]
        return planned
    if facts.kind == "general" and LOCAL.search(" ".join(s.text for s in facts.sentences)):
        return politics(facts, local=True)
    return []

"""``python -m bench drafts``: how publishable the extractive backend's drafts are, article by article.

Over the evaluation articles 01-12 of ``bench/grounding_eval`` and the news-kind sources of
``tests/generate/sources``, it prints per article: the kind of story it is and the kind the backend took it
for, the grounding verdict, the share of copied words (``qapress.generate.copy_share``: draft words inside a
run of 6 or more consecutive words the source also has, over all draft words), the number of questions, and
whether the question a reader asks first for that kind is there. Then, per draft, its title and first
answer, and a summary of how it reads: how many drafts pass, the range of copied shares, how many sentences
talk about "the report" rather than the news (a sentence naming the source as a document when the source
itself never says "report"), how many answers open with a quotation or its attribution, and how many titles
carry words of a template (words the source does not have, such as ": what we know") and how many distinct
templates there are. With ``--demo``, the demo's sources instead (``store/demo_data/sources.jsonl``): how
many drafts copy more than 25% of their source's words, as drafted and as published, whether each passes,
and how many bodies are shorter than two sentences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from bench.draft_checks import REQUIREMENTS, tells_the_news
from qapress.generate.copy_share import MAX_SHARE, copied_share
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.facts import extract_facts
from qapress.generate.grounding import check_draft
from qapress.generate.sources import parse_plain_text
from qapress.generate.text import split_sentences, words

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = Path(__file__).resolve().parent / "grounding_eval" / "articles"
SOURCES = ROOT / "tests" / "generate" / "sources"
#: Only these evaluation articles: the later ones are held out from everything but the grounding bench.
EVAL_NAMES = [f"{n:02d}" for n in range(1, 13)]

#: The kind of story each article is, as a reader would say (from its file name).
KIND_OF_FILE = {
    "entertainment": "film",
    "sport": "sport",
    "science": "science",
    "business": "business",
    "local-politics": "politics",
    "politics": "politics",
    "local": "local",
    "technology": "technology",
    "crime-courts": "crime",
    "weather": "weather",
    "health": "health",
    "transport": "transport",
    "environment": "environment",
    "culture": "culture",
}

#: The question a reader asks first, per kind of story; other kinds ask what happened.
KEY_QUESTIONS: dict[str, re.Pattern[str]] = {
    "film": re.compile(r"\b(?:release|come out|out in|premiere|where to watch|open)", re.I),
    "sport": re.compile(r"^who won\b", re.I),
    "politics": re.compile(r"\bdecided?\b|^what did .+ (?:approve|pass|vote)", re.I),
    "local": re.compile(r"\bresidents\b|what (?:will )?change|what does it mean for", re.I),
    # a company's results; for a takeover, what the deal is worth
    "business": re.compile(r"\bresults\b|\bfigures\b|deal worth", re.I),
    "science": re.compile(r"^what did .+ find|^what was found", re.I),
    "technology": re.compile(r"^what is new|^what did .+ (?:unveil|launch|announce)", re.I),
    "crime": re.compile(r"^who was (?:charged|sentenced|convicted)", re.I),
    "weather": re.compile(r"^what is forecast", re.I),
    "health": re.compile(r"^what was found or changed", re.I),
    "transport": re.compile(r"^what changes\b", re.I),
    "environment": re.compile(r"^what happened\b", re.I),
    "culture": re.compile(r"^what is happening\b", re.I),
    "other": re.compile(r"^what (?:is the news|happened|has happened|is happening|was decided)", re.I),
}


#: A sentence about the source as a document ("... is quoted in the report", "the report hedges").
REPORT_TALK = re.compile(r"\b(?:the|this|source) report\b|\bin the report\b|\bappears in it\b", re.I)
#: An answer that opens with a quotation or with the attribution of one.
QUOTE_OPENING = re.compile(r"^(?:[“\"‘]|According to\b|In the source|[A-Z][\w’'\- ]{1,40} said: “)")


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    taken_for: str
    verdict: str
    copied: float
    questions: int
    key_question: bool
    title: str = ""
    first_question: str = ""
    first_answer: str = ""
    report_talk: int = 0
    quote_openings: int = 0
    title_template: str = ""
    #: per requirement of ``draft_checks.REQUIREMENTS``, whether the draft meets it
    met: tuple[bool, ...] = ()


def report_talk(draft_parts: list[str], source_text: str) -> int:
    """Sentences of the draft that talk about "the report" when the source never calls itself one."""
    if re.search(r"\breport\b", source_text, re.I):
        return 0
    return sum(
        1 for part in draft_parts for sentence in split_sentences(part) if REPORT_TALK.search(sentence)
    )


def title_template(title: str, headline: str) -> str:
    """The words a title adds to the source's headline, with the headline's words and all figures as "…":
    a fixed template part (": what we know") shows here; a title in the headline's words gives ""."""
    known = set(words(headline))

    def shown(match: re.Match[str]) -> str:
        token = match.group()
        return "…" if token[:1].isdigit() or all(w in known for w in words(token)) else token

    shape = re.sub(r"[\w’'\-.,]*\w", shown, title)
    shape = re.sub(r"[\"“”‘’'$£€%]", "", shape)
    shape = re.sub(r"…(?:[\s,;]*…)+", "…", shape)
    return "" if shape.strip() in ("…", "") else shape


def sources() -> list[tuple[str, Path]]:
    """(article name, path) for every article the bench drafts."""
    found: list[tuple[str, Path]] = []
    for number in EVAL_NAMES:
        found += [(path.stem, path) for path in sorted(ARTICLES.glob(f"{number}-*.txt"))]
    found += [(f"sources/{path.stem}", path) for path in sorted(SOURCES.glob("*.txt"))]
    return found


def kind_of(name: str) -> str:
    stem = name.split("/")[-1]
    stem = re.sub(r"^\d+-", "", stem)
    return KIND_OF_FILE.get(stem, "other")


def measure(name: str, path: Path) -> Row:
    source = parse_plain_text(path.read_text("utf-8"))
    draft = ExtractiveBackend().draft(source)
    kept, report = check_draft(draft, source)
    unverified = len(report.unverified())
    verdict = "pass" if report.passed else "FAIL"
    verdict += f" {len(kept.faq)}/{len(draft.faq)}"
    if unverified:
        verdict += f", {unverified} unverified"
    kind = kind_of(name)
    key = KEY_QUESTIONS[kind]
    source_text = f"{source.title}\n{source.text}"
    parts = [draft.title, draft.lead, *draft.body, *(item.answer for item in draft.faq)]
    facts = extract_facts(source)
    return Row(
        name,
        kind,
        facts.kind,
        verdict,
        copied_share(draft, source),
        len(draft.faq),
        any(key.search(item.question) for item in kept.faq),
        draft.title,
        draft.faq[0].question if draft.faq else "",
        draft.faq[0].answer if draft.faq else "",
        report_talk(parts, source_text),
        sum(bool(QUOTE_OPENING.search(item.answer)) for item in draft.faq),
        title_template(draft.title, source.title),
        tuple(requirement.met(draft, source, facts, kind) for requirement in REQUIREMENTS),
    )


def report() -> list[str]:
    """The table as Markdown lines: one row per article and a total."""
    rows = [measure(name, path) for name, path in sources()]
    lines = [
        "| article | kind | taken for | grounding (answers kept) | copied words | questions | key question |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {row.kind} | {row.taken_for} | {row.verdict} | {100 * row.copied:.0f}% |"
            f" {row.questions} | {'yes' if row.key_question else 'NO'} |"
        )
    passed = sum(row.verdict.startswith("pass") for row in rows)
    keyed = sum(row.key_question for row in rows)
    within = sum(row.copied <= MAX_SHARE for row in rows)
    mean = sum(row.copied for row in rows) / len(rows) if rows else 0.0
    worst = max((row.copied for row in rows), default=0.0)
    lines.append(
        f"| **all {len(rows)}** | | | {passed} pass | mean {100 * mean:.0f}%, max {100 * worst:.0f}%,"
        f" {within} at most {100 * MAX_SHARE:.0f}% | | {keyed} of {len(rows)} |"
    )
    lines += ["", "| article | title | first question | first answer |", "| --- | --- | --- | --- |"]
    for row in rows:
        answer = row.first_answer.replace("|", "\\|")
        lines.append(f"| {row.name} | {row.title} | {row.first_question} | {answer} |")
    lines += ["", "| requirement | drafts meeting it | drafts missing it |", "| --- | ---: | --- |"]
    checks = [
        ("grounding check passes", [row.verdict.startswith("pass") for row in rows]),
        (f"copied words at most {100 * MAX_SHARE:.0f}%", [row.copied <= MAX_SHARE for row in rows]),
        *((r.name, [row.met[i] for row in rows]) for i, r in enumerate(REQUIREMENTS)),
    ]
    for name, met in checks:
        missing = ", ".join(row.name for row, ok in zip(rows, met, strict=True) if not ok)
        lines.append(f"| {name} | {sum(met)} of {len(rows)} | {missing} |")
    least = min((row.copied for row in rows), default=0.0)
    answers = sum(row.questions for row in rows)
    templated = [row.title_template for row in rows if row.title_template]
    lines += [
        "",
        f"- drafts passing the check: {passed} of {len(rows)}",
        f"- copied words: {100 * least:.0f}% to {100 * worst:.0f}% (mean {100 * mean:.0f}%)",
        f'- sentences about "the report" rather than the news: {sum(row.report_talk for row in rows)}',
        f"- answers opening with a quotation or its attribution: {sum(row.quote_openings for row in rows)}"
        f" of {answers}",
        f"- titles with template words: {len(templated)} of {len(rows)}, {len(set(templated))} distinct"
        f" templates{': ' + '; '.join(sorted(set(templated))) if templated else ''};"
        f" {len({row.title for row in rows})} distinct titles",
    ]
    return lines


def demo_report() -> list[str]:
    """The demo's drafts (``store/demo_data/sources.jsonl``, all of them), as the demo publishes them: each
    source through the extractive backend and the grounding check, the kept draft with the pipeline's credit
    line, and its copied share; how many pass and publish, how many copy more than ``MAX_SHARE``, the mean
    and the worst, and the drafts over the limit."""
    from qapress.store.demo import demo_sources

    rows: list[tuple[str, bool, float]] = []
    bare: list[float] = []
    short_bodies = telling_nothing = 0
    for host, document in demo_sources():
        draft = ExtractiveBackend().draft(document)
        short_bodies += len([s for part in draft.body for s in split_sentences(part)]) < 2
        telling_nothing += not tells_the_news(draft)
        kept, checked = check_draft(draft, document)
        kept = replace(kept, outro=document.credit_line())
        rows.append((f"{host}: {document.title}", checked.passed, copied_share(kept, document)))
        bare.append(copied_share(draft, document))
    shares = [share for _, _, share in rows]
    over = [(name, share) for name, _, share in rows if share > MAX_SHARE]
    lines = [
        f"- the backend's drafts alone (as `python -m bench drafts` measures them): {sum(s > MAX_SHARE for s in bare)}"
        f" over {100 * MAX_SHARE:.0f}%, mean {100 * statistics.mean(bare):.1f}%, max {100 * max(bare):.1f}%;"
        " below, the published article (the kept answers and the credit line)",
        f"- demo drafts: {len(rows)}, passing the check (published): {sum(ok for _, ok, _ in rows)}",
        f"- copying more than {100 * MAX_SHARE:.0f}% of the source's words: {len(over)} of {len(rows)}",
        f"- copied words: mean {100 * statistics.mean(shares):.1f}%, median"
        f" {100 * statistics.median(shares):.1f}%, max {100 * max(shares):.1f}%",
        f"- bodies under two sentences: {short_bodies} of {len(rows)}; lead and body not telling the news"
        f" (a sentence about the draft itself, or a short body): {telling_nothing} of {len(rows)}",
    ]
    lines += [f"  - {100 * share:.0f}% {name}" for name, share in sorted(over, key=lambda o: -o[1])]
    lines += [f"  - FAILS the check: {name}" for name, ok, _ in rows if not ok]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench drafts", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="append a dated section to BENCHMARKS.md")
    parser.add_argument(
        "--demo", action="store_true", help="the demo's 92 sources instead: copied share and verdicts"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    lines = demo_report() if args.demo else report()
    print("\n".join(lines))
    if args.write:
        moment = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        what = "Extractive drafts of the demo's sources" if args.demo else "Extractive drafts"
        section = ["", f"## {what} ({moment})", "", *lines, ""]
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(section))
        print(f"[bench] appended to {args.output}")
    return 0

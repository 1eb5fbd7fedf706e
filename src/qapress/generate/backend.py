"""The one interface every writer of drafts implements, and how a backend is picked by name."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.errors import BackendError
from qapress.generate.grounding import GroundingReport
from qapress.settings import Settings

BACKEND_NAMES = ("extractive", "openai")


class Backend(Protocol):
    """Writes a draft article from one source. The grounding check runs on its output afterwards."""

    name: str

    def draft(self, source: SourceDocument) -> Draft:
        """A title, a lead, a few body paragraphs and 3 to 6 questions with answers; raises ``BackendError``."""
        ...


@runtime_checkable
class RevisingBackend(Backend, Protocol):
    """A backend that can write a draft again from the grounding check's reasons (a language model can;
    a deterministic writer would only repeat itself)."""

    def revise(self, source: SourceDocument, draft: Draft, report: GroundingReport) -> Draft:
        """The draft rewritten to fix what ``report`` found; raises ``BackendError``."""
        ...


def make_backend(name: str, settings: Settings) -> Backend:
    """The backend called ``name``, configured from the settings (the environment)."""
    if name == "extractive":
        from qapress.generate.extractive import ExtractiveBackend

        return ExtractiveBackend()
    if name == "openai":
        from qapress.generate.openai_backend import OpenAIBackend, OpenAIConfig

        return OpenAIBackend(OpenAIConfig.from_settings(settings))
    raise BackendError(f"unknown backend {name!r}: choose one of {', '.join(BACKEND_NAMES)}")

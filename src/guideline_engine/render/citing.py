"""Number the snippets an answer cites and word its citations for one audience."""

from __future__ import annotations

from typing import Any

from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.render.answer import Cited, Line
from guideline_engine.render.messages import Audience


class Citer:
    """Numbers snippets in the order an answer first cites them (1, 2, ...).

    One citer serves one answer: every line built through it carries the numbers of its
    snippets, and :meth:`cited` gives the numbered citations in that order.
    """

    def __init__(self, kb: KnowledgeBase, audience: Audience) -> None:
        """Start with no citation."""
        self.kb = kb
        self.audience = audience
        self.order: dict[str, int] = {}

    def numbers(self, snippet_ids: tuple[str, ...]) -> tuple[int, ...]:
        """The numbers of ``snippet_ids``, numbering those not cited yet."""
        found = [self.order.setdefault(sid, len(self.order) + 1) for sid in snippet_ids]
        return tuple(dict.fromkeys(found))

    def line(self, text: str, snippet_ids: tuple[str, ...]) -> Line:
        """A line with the numbers of the snippets behind it."""
        return Line(text, self.numbers(snippet_ids), tuple(snippet_ids))

    def snippet_line(self, snippet_id: str) -> Line:
        """A snippet in the audience's wording, citing itself."""
        return self.line(self.kb.snippet(snippet_id).text(self.audience), (snippet_id,))

    def _where(self, snippet_id: str, cites: tuple[int, ...]) -> str:
        """A summary cites its own references by number; a primary guideline by its parts."""
        if cites:
            return "source refs " + ",".join(str(n) for n in cites)
        return "parts " + ", ".join(self.kb.snippet(snippet_id).source.parts)

    def cited(self) -> tuple[Cited, ...]:
        """The numbered citations, worded for the audience."""
        out = []
        for sid, number in self.order.items():
            view = self.kb.citation(sid, self.audience)
            review = view.label or ""
            tail = f"; {review}" if review else ""
            where = self._where(sid, view.cites)
            out.append(
                Cited(
                    number=number,
                    snippet_id=sid,
                    topic=self.kb.snippet(sid).topic,
                    label=f"{view.source}, {view.year} ({where}{tail})",
                    text=view.text,
                    review=review,
                )
            )
        return tuple(out)

    def sources_line(self) -> str:
        """``Sources: A, 2025; B, 2019. Say 'sources' for their references.`` or ``""``."""
        if not self.order:
            return ""
        names: dict[str, None] = {}
        for sid in self.order:
            view = self.kb.citation(sid, self.audience)
            names.setdefault(f"{view.source}, {view.year}", None)
        return "Sources: " + "; ".join(names) + ". Say 'sources' for their references."

    def payload(self) -> list[dict[str, Any]]:
        """The ``citations`` list of the payload (with each snippet's document and parts)."""
        out = []
        for sid in self.order:
            item = self.kb.citation(sid, self.audience).to_payload()
            source = self.kb.snippet(sid).source
            item["document"] = source.document
            item["parts"] = list(source.parts)
            out.append(item)
        return out

"""The topics of the packaged content, cross-checked, and which one a message belongs to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.gates import evaluate_gates, packaged_gates
from guideline_engine.scope import whole_words
from guideline_engine.topics.decide import VIEW_FACTS, fact_view
from guideline_engine.topics.loader import (
    TopicError,
    check_against,
    check_modules,
    packaged_topics,
)
from guideline_engine.topics.model import FactValue, Topic


@dataclass(frozen=True)
class Topics:
    """Every topic, the default one, and routing of a message to one of them."""

    all: tuple[Topic, ...]

    def get(self, topic_id: str) -> Topic:
        """The topic with this id; KeyError names it."""
        for topic in self.all:
            if topic.id == topic_id:
                return topic
        raise KeyError(f"no topic {topic_id!r}")

    @property
    def default(self) -> Topic:
        """The topic a message that names none goes to."""
        return next(t for t in self.all if t.default)

    def named_in(self, text: str) -> tuple[Topic, ...]:
        """Topics whose scope terms appear in ``text`` (whole words, any case)."""
        low = text.lower()
        return tuple(t for t in self.all if _pattern(t.scope_terms).search(low))

    def about_one(self, text: str, view: Mapping[str, FactValue]) -> bool:
        """Whether a message is about some topic: it names one, or states its evidence.

        Evidence is a topic's route or evidence facts ("B12 140", "pernicious anaemia",
        "folate low"); age, a haemoglobin, a diet or a medicine alone are not: "What's a
        good protein source for a vegan?" is no B12 case. A topic's cause beside a result
        named vaguely is ("on metformin, my vitamin is low": ``evidence_with_words``).
        """
        if self.named_in(text):
            return True
        if any(
            c.holds(view.get(c.fact)) for t in self.all for c in (*t.route_facts, *t.evidence_facts)
        ):
            return True
        low = text.lower()
        return any(
            t.evidence_words
            and _pattern(t.evidence_words).search(low)
            and any(c.holds(view.get(c.fact)) for c in t.worded_evidence)
            for t in self.all
        )

    def covered_names(self) -> str:
        """The covered topics in words, for the bot's own sentences ("... and ...")."""
        names = [t.title.patient[:1].lower() + t.title.patient[1:] for t in self.all]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def covered(self) -> frozenset[str]:
        """Ids of conditions some topic covers (the scope no longer declines them)."""
        return frozenset(c for t in self.all for c in t.covers)

    def for_question(self, text: str, current: str | None) -> Topic:
        """The topic whose snippets answer a follow-up question.

        The one topic the question names; a question naming several ("B12 and folate both
        low: which first?") goes to the default topic, whose content covers how they combine;
        one naming none stays in the conversation's topic. A topic's ``question_terms``
        ("folic acid") count only outside another topic's conversation: in a B12 conversation
        "I take folic acid, how long are the injections?" stays with B12.
        """
        low = text.lower()
        named = [t for t in self.all if _pattern(t.scope_terms).search(low)]
        if not named:
            named = [
                t
                for t in self.all
                if t.question_terms
                and current in (None, t.id)
                and _pattern(t.question_terms).search(low)
            ]
        if len(named) == 1:
            return named[0]
        if named:
            return self.default
        ids = {t.id for t in self.all}
        return self.get(current) if current in ids else self.default

    def route(self, text: str, view: Mapping[str, FactValue], current: str | None) -> Topic:
        """The topic that answers a case: one named or whose facts are stated, else the current.

        A non-default topic wins over the default one: its table knows how the two combine (it
        asks for the default topic's result first, or hands over to it). Measured on the blind
        dev set, letting the default topic win when both are named routed fewer messages right
        (39.5 % against 78.9 % of folate messages), with no safety gain: the folate table never
        gives folic acid before the B12 answer.
        """
        stated = tuple(t for t in self.all if any(c.holds(view.get(c.fact)) for c in t.route_facts))
        candidates = (*self.named_in(text), *stated)
        special = [t for t in candidates if not t.default]
        if special:
            return special[0]
        if candidates:
            return candidates[0]
        ids = {t.id for t in self.all}
        return self.get(current) if current in ids else self.default


def nothing_on_topic(
    text: str, values: Mapping[str, Any], mentioned: Iterable[str] = (), refused: int = 0
) -> bool:
    """Whether a case names no topic, states none of their evidence and fires no gate.

    Such a message is declined as not this topic instead of being asked the default topic's
    questions ("Post-op day 3, Hb 89. IV iron?"). A gate still fires first: a platelet count
    of 29 or a pregnancy is said before anything else, whatever the topic (HAZ-084).

    Args:
        text: The message.
        values: Slot-like fact values read from it (and from the conversation so far).
        mentioned: Ids of every finding the message mentions, whoever's and however
            certain ("my sister has PA" is about B12 even though the PA is not the
            patient's).
        refused: How many values the message gave that cannot be used: such a message (or
            one whose values contradict each other) is never declined, its values are named
            back instead.
    """
    read = facts_from_values(values)
    if refused or read.problems:
        return False
    view = fact_view(values, read.facts)
    causes = view.get("causes")
    said = causes if isinstance(causes, frozenset) else frozenset()
    view["causes"] = said | frozenset(mentioned)
    if topics().about_one(text, view):
        return False
    return evaluate_gates(read.facts, packaged_gates()) is None


@dataclass(frozen=True)
class TopicSnippets:
    """The snippets of one topic, shaped as the retriever reads a knowledge base."""

    snippets: tuple[Any, ...]


def snippets_of(kb: Any, kb_topic: str) -> TopicSnippets:
    """The visible snippets of ``kb`` whose topic is ``kb_topic`` (a follow-up searches one)."""
    return TopicSnippets(tuple(s for s in kb.snippets if getattr(s, "topic", None) == kb_topic))


@cache
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return whole_words(terms)


@cache
def topics() -> Topics:
    """Every packaged topic, validated against the knowledge base (fails fast).

    Each topic's ``rules_module`` and ``renderer`` are imported and checked here too.

    Raises:
        TopicError: A topic package is malformed, names what does not exist, or names a
            module that does not import or lacks the functions the engine calls.
    """
    from guideline_engine.knowledge import load_knowledge_base

    found = packaged_topics()
    if not found:
        raise TopicError("no topic package found under content/")
    check_against(found, load_knowledge_base(approved_only=False).ids, VIEW_FACTS)
    check_modules(found)
    return Topics(found)

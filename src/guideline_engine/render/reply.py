"""Replies shared by every topic: the reply type, notices, gates, invalid values, facts used.

A reply is one :class:`Answer` plus its JSON payload (:class:`Rendered`). A topic's own plan
renderer (named by its ``topic.yml``: ``renderer``) builds on these; nothing here words a
topic's plan. Housekeeping replies still carry the default topic's id and its ``b12.`` payload
prefix (:data:`TOPIC`): moving that to the registry is work left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guideline_engine.facts import Finding
from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.regimen.model import Facts, Gated
from guideline_engine.render.answer import (
    Answer,
    Banner,
    Button,
    Line,
    Section,
    SectionStyle,
)
from guideline_engine.render.citing import Citer
from guideline_engine.render.messages import AUDIENCES, Audience, messages

TOPIC = "b12"  # the default topic's id, on housekeeping replies (see the module docstring)

GATE_TYPE = "b12.gate"



@dataclass(frozen=True)
class Rendered:
    """One reply: its :class:`Answer`, the answer's text, and the JSON payload.

    Build it with :meth:`of` so that ``text`` is ``answer.to_text()`` and the payload holds
    ``"answer"``. A reply built without ``answer`` takes the one its payload already holds, or
    else gets a plain answer made from its text, so every payload carries an ``answer`` object
    and :attr:`model` is always the answer the channels lay out.
    """

    text: str
    payload: dict[str, Any]
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    answer: Answer | None = None

    def __post_init__(self) -> None:
        """Give a reply built from text alone a plain answer, and its payload that answer."""
        answer = self.answer
        if answer is None:
            sent = self.payload.get("answer")
            answer = (
                Answer.from_dict(sent)
                if isinstance(sent, dict)
                else plain_answer(self.text, self.payload, self.buttons)
            )
            object.__setattr__(self, "answer", answer)
        if "answer" not in self.payload:
            object.__setattr__(self, "payload", {**self.payload, "answer": answer.to_dict()})

    @classmethod
    def of(cls, answer: Answer, payload: dict[str, Any]) -> Rendered:
        """The reply for ``answer``: its text, its buttons, and ``payload`` with the answer."""
        return cls(
            text=answer.to_text(),
            payload={**payload, "answer": answer.to_dict()},
            buttons=tuple((b.title, b.payload) for b in answer.buttons),
            answer=answer,
        )

    @property
    def model(self) -> Answer:
        """The answer (always set once built)."""
        assert self.answer is not None
        return self.answer


def plain_answer(
    text: str, payload: dict[str, Any], buttons: tuple[tuple[str, str], ...] = ()
) -> Answer:
    """An answer made from plain text: ``- `` lines as lists, other lines as they are."""
    kind = str(payload.get("type") or "text").removeprefix("b12.")
    audience = payload.get("audience")
    sections: list[Section] = []
    for line in (x for x in text.splitlines() if x.strip()):
        style: SectionStyle = "list" if line.startswith("- ") else "lead"
        words = Line(line[2:] if style == "list" else line)
        if sections and sections[-1].style == style:
            last = sections[-1]
            sections[-1] = Section(last.title, (*last.lines, words), style)
        else:
            sections.append(Section("", (words,), style))
    return Answer(
        kind=kind,
        topic=None,
        audience=audience if audience in AUDIENCES else "patient",
        sections=tuple(sections),
        buttons=tuple(Button(title, value) for title, value in buttons),
    )


def lead(*texts: str) -> Section:
    """A section of plain lines, without a title or bullets."""
    return Section("", tuple(Line(t) for t in texts), "lead")


def facts_used(facts: Facts) -> dict[str, Any]:
    """The facts as JSON: only what is known, lab values as reported."""
    out: dict[str, Any] = {"neurological_involvement": facts.neurological_involvement.value}
    if facts.causes:
        out["causes"] = sorted(c.value for c in facts.causes)
    for name in ("ileal_resection_cm", "platelet_count", "age", "haemoglobin"):
        value = getattr(facts, name)
        if value is not None:
            out[name] = value
    for name in (
        "pregnant",
        "breastfeeding",
        "pancytopenia",
        "severe_anaemia",
        "injection_contraindication",
        "folic_acid_started",
    ):
        tri = getattr(facts, name)
        if tri.value != "unknown":
            out[name] = tri.value
    if facts.route_preference is not None:
        out["route_preference"] = facts.route_preference.value
    out["formulary"] = facts.formulary.value
    for name in ("b12", "folate", "mma"):
        lab = getattr(facts, name)
        if lab is not None:
            out[name] = {
                "value": lab.value,
                "unit": lab.unit,
                "status": lab.status.value if lab.status else None,
            }
    return out


def plain_number(value: float) -> str:
    """A number without trailing zeros: ``1.0`` -> ``1``, ``0.5`` -> ``0.5``."""
    return f"{value:g}"


def cited_answer(
    kind: str,
    audience: Audience,
    cites: Citer,
    *,
    title: str = "",
    banner: Banner | None = None,
    sections: tuple[Section, ...] = (),
    buttons: tuple[Button, ...] = (),
) -> Answer:
    """An answer with the citer's numbered citations and sources line (topic :data:`TOPIC`)."""
    return Answer(
        kind=kind,
        topic=TOPIC,
        audience=audience,
        title=title,
        banner=banner,
        sections=sections,
        citations=cites.cited(),
        sources_line=cites.sources_line(),
        buttons=buttons,
    )


def render_gated(result: Gated, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render fired eligibility gates: advice first, and no standard plan."""
    cites = Citer(kb, audience)
    wording = messages()
    heading = wording.gate(f"heading_{result.urgency.value}", audience)
    banner = Banner(
        "urgent" if result.urgency.value == "urgent" else "advice",
        heading.format(specialists=", ".join(result.specialists)),
    )
    advice: list[Line] = []
    seen: set[str] = set()
    for sid in result.snippet_ids():
        text = kb.snippet(sid).text(audience)
        if text not in seen:
            seen.add(text)
            advice.append(cites.line(text, (sid,)))
    sections = [Section("", tuple(advice), "warning")]
    if result.plan_withheld:
        sections.append(lead(wording.gate("plan_withheld", audience)))
    answer = cited_answer("gate", audience, cites, banner=banner, sections=tuple(sections))
    payload = {
        "type": GATE_TYPE,
        "audience": audience,
        "kb_version": kb.version,
        "gate": result.gate_id,
        "urgency": result.urgency.value,
        "plan_withheld": result.plan_withheld,
        "specialists": list(result.specialists),
        "gates": [
            {
                "gate": hit.gate_id,
                "urgency": hit.urgency.value,
                "specialist": hit.specialist,
                "plan_withheld": hit.plan_withheld,
                "conditions": list(hit.conditions),
                "advice": list(hit.advice_snippet_ids),
            }
            for hit in result.hits
        ],
        "rule_path": list(result.rule_path),
        "citations": cites.payload(),
    }
    return Rendered.of(answer, payload)


def render_invalid(
    intro: str,
    problems: Sequence[str],
    fields: Sequence[str],
    audience: Audience = "patient",
) -> Rendered:
    """Values the bot cannot use, each named back (``b12.invalid_facts``)."""
    answer = Answer(
        kind="invalid_facts",
        topic=TOPIC,
        audience=audience,
        sections=(lead(intro), Section("", tuple(Line(p) for p in problems), "list")),
    )
    payload = {"type": "b12.invalid_facts", "problems": list(problems), "fields": list(fields)}
    return Rendered.of(answer, payload)


def render_notice(
    kind: str,
    text: str | tuple[str, ...],
    payload: dict[str, Any],
    audience: Audience = "patient",
    *,
    topic: str | None = TOPIC,
    banner: Banner | None = None,
    buttons: tuple[Button, ...] = (),
) -> Rendered:
    """A reply of a sentence or two (declines, notices, refusals) with its payload.

    ``text`` is one sentence or several, each its own line; ``buttons`` are quick replies.
    """
    texts = (text,) if isinstance(text, str) else text
    answer = Answer(
        kind=kind,
        topic=topic,
        audience=audience,
        banner=banner,
        sections=(lead(*texts),) if texts else (),
        buttons=buttons,
    )
    return Rendered.of(answer, payload)


def _finding_label(finding: Finding) -> str:
    """Plain words for a finding: the symptom as written, a cause or antibody by its id."""
    return finding.text if finding.kind == "symptom" else finding.id.replace("_", " ")


def finding_line(finding: Finding, audience: Audience) -> str:
    """One line per finding: its assertions for clinicians, plain words for patients."""
    wording = messages()
    if audience == "clinician":
        return (
            f'{finding.kind} {finding.id} "{finding.text}": {finding.certainty}, '
            f"experiencer {finding.experiencer}, {finding.time} → {finding.use.replace('_', ' ')}"
        )
    what = _finding_label(finding)
    because = finding.not_counted_because
    if because is None:
        return wording.text(f"why_finding_{finding.use}").format(what=what)
    reason = wording.text(f"why_finding_because_{because}")
    return wording.text("why_finding_not_counted").format(what=what, why=reason)


def _words(value: Any) -> str:
    """A fact value in words: ``pernicious_anaemia`` -> ``pernicious anaemia``; lists joined."""
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):  # a lab value as reported
        status = f" ({_words(value['status'])})" if value.get("status") else ""
        unit = f" {value['unit']}" if value.get("unit") else ""
        return f"{_words(value.get('value'))}{unit}{status}"
    if isinstance(value, float):
        return plain_number(value)
    return str(value).replace("_", " ")


def fact_line(key: str, value: Any) -> str:
    """One fact used, in words: ``Neurological involvement: yes``, ``Causes: dietary``."""
    label = key.replace("_", " ")
    return f"{label[:1].upper()}{label[1:]}: {_words(value)}"

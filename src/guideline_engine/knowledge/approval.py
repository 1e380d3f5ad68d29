"""One approval gate for every clinical artefact.

A clinical artefact is anything whose wording or logic carries clinical meaning: curated
snippets, red flags and their advice, eligibility gates, regimen rule modules, a topic
package's own code (its ``rules_module`` and ``renderer``), the code that evaluates and words
topic decision tables (``topics/``), topic tables and manifests, the code
that classes a laboratory number as low (:data:`LAB_CLASSING`), the trained signals (code and
training data: :data:`TRIAGE_SIGNAL`, :data:`FOLLOWUP_SIGNAL`), the clinical notes of
``render/messages.yml`` and its dosing-frequency labels. Each has a current content hash and a
review status:

- snippets carry both in their own review block (``content_hash`` is checked by the loader);
- red flags and gates have their own review block (who and when) but no hash: an approval
  counts only when the register also pins their current content hash;
- rule modules, pinned engine code and data, notes and labels have no review block: the
  register holds their status.

The register (``content/approvals.yml``, beside the topic folders) is validated strictly. An
approval whose content changed afterwards is *stale* and never counts as approved; a register
that does not match the current content (a row missing or with an old hash) fails
validation until ``rehash`` refreshes it. With ``KB_APPROVED_ONLY`` on, an answer that needs
any artefact that is not approved is refused as a whole, except triage: a red flag still
escalates, with its advice replaced by a pending-review line (a trained-signal red flag also
needs the trained signal's approval).
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from guideline_engine.knowledge.base import APPROVED_ONLY_ENV, KnowledgeBase, load_knowledge_base
from guideline_engine.knowledge.hashing import canonical_json
from guideline_engine.knowledge.loader import REGISTER_FILE_NAME, as_traversable
from guideline_engine.knowledge.model import REVIEWER_ROLES
from guideline_engine.regimen.model import Plan

REGISTER_DIR = ""  # the content root itself: the register is shared by every topic
"""Topic folder of the content root that holds the register."""

REGISTER_PATH = REGISTER_FILE_NAME
REGISTER_VERSION = 1
MESSAGES_FILE = "messages.yml"
LABEL_TABLES = ("frequency",)
"""Tables of ``messages.yml`` whose labels carry clinical meaning (dosing frequencies)."""

REFUSAL_TYPE = "b12.content_unavailable"
CLI = "python -m guideline_engine.knowledge"
_DRIFT = f"{REGISTER_PATH}: out of date"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_KEYS = ("kind", "id", "sha256", "status", "reviewer", "role", "reviewed_on")


class ArtefactKind(str, Enum):
    """What kind of clinical artefact something is (``signal``: a trained signal's code or data)."""

    SNIPPET = "snippet"
    RED_FLAG = "red_flag"
    GATE = "gate"
    RULE = "rule"
    NOTE = "note"
    LABEL = "label"
    SIGNAL = "signal"


class ApprovalStatus(str, Enum):
    """Review status of an artefact (snippets use the first three only)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalError(ValueError):
    """The register or the approval state is invalid; ``problems`` lists every issue."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} approval problem(s):\n{lines}")


@dataclass(frozen=True, order=True)
class ArtefactRef:
    """Kind and id of one artefact, e.g. ``red_flag:chest_pain``."""

    kind: ArtefactKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


@dataclass(frozen=True)
class OwnReview:
    """Status, reviewer and date from an artefact's own review block."""

    status: ApprovalStatus
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    role: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An artefact's current content hash and, if it has one, its own review block."""

    ref: ArtefactRef
    sha256: str
    file: str
    review: OwnReview | None = None


@dataclass(frozen=True)
class RegisterEntry:
    """One row of the approval register."""

    kind: ArtefactKind
    id: str
    sha256: str
    status: ApprovalStatus
    reviewer: str | None = None
    role: str | None = None
    reviewed_on: dt.date | None = None

    @property
    def ref(self) -> ArtefactRef:
        """Kind and id."""
        return ArtefactRef(self.kind, self.id)

    @classmethod
    def from_dict(cls, data: Any, where: str) -> RegisterEntry:
        """Build an entry, rejecting unknown keys, bad values and inconsistent review fields.

        Raises:
            ValueError: Naming ``where`` and the field.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
        unknown = sorted(str(k) for k in data if k not in _ENTRY_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; allowed: {_ENTRY_KEYS}")
        missing = [k for k in _ENTRY_KEYS if k not in data]
        if missing:
            raise ValueError(f"{where}: missing key {missing[0]!r}")
        kind = _enum(ArtefactKind, data["kind"], f"{where}: kind")
        if kind is ArtefactKind.SNIPPET:
            raise ValueError(f"{where}: snippets carry their own review block, not a register row")
        ident, sha = data["id"], data["sha256"]
        if not isinstance(ident, str) or not ident.strip():
            raise ValueError(f"{where}: id: expected a non-empty string")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise ValueError(f"{where}: sha256: expected 64 lowercase hex digits")
        entry = cls(
            kind=kind,
            id=ident,
            sha256=sha,
            status=_enum(ApprovalStatus, data["status"], f"{where}: status"),
            reviewer=_optional_text(data["reviewer"], f"{where}: reviewer"),
            role=_optional_text(data["role"], f"{where}: role"),
            reviewed_on=_optional_date(data["reviewed_on"], f"{where}: reviewed_on"),
        )
        entry.check(where)
        return entry

    def check(self, where: str) -> None:
        """Check that reviewer, role and date fit the status.

        Raises:
            ValueError: If they do not.
        """
        if self.role is not None and self.role not in REVIEWER_ROLES:
            raise ValueError(f"{where}: role {self.role!r} not one of {', '.join(REVIEWER_ROLES)}")
        if self.status is ApprovalStatus.APPROVED:
            if self.reviewer is None or self.role is None or self.reviewed_on is None:
                raise ValueError(f"{where}: an approval needs reviewer, role and reviewed_on")
        elif self.status is ApprovalStatus.SUBMITTED:
            if (self.reviewer, self.role, self.reviewed_on) != (None, None, None):
                raise ValueError(f"{where}: a submitted entry has no reviewer, role or date")
        elif self.status is ApprovalStatus.UNDER_REVIEW and self.reviewer is None:
            raise ValueError(f"{where}: an entry under review needs a reviewer")

    def to_dict(self) -> dict[str, Any]:
        """The YAML mapping of this entry (keys in register order)."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "sha256": self.sha256,
            "status": self.status.value,
            "reviewer": self.reviewer,
            "role": self.role,
            "reviewed_on": self.reviewed_on,
        }


def _enum(enum_type: type[Any], value: Any, where: str) -> Any:
    for member in enum_type:
        if member.value == value:
            return member
    allowed = ", ".join(m.value for m in enum_type)
    raise ValueError(f"{where}: invalid value {value!r}; allowed: {allowed}")


def _optional_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a non-empty string or null")
    return value.strip()


def _optional_date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: expected a date YYYY-MM-DD or null, got {value!r}")


def parse_register(data: Any, origin: str = REGISTER_PATH) -> tuple[RegisterEntry, ...]:
    """Validate the parsed register; an absent (``None``) register has no entries.

    Raises:
        ApprovalError: Listing every malformed or duplicate entry.
    """
    if data is None:
        return ()
    if not isinstance(data, Mapping) or set(data) != {"version", "approvals"}:
        raise ApprovalError([f"{origin}: expected exactly the keys 'version' and 'approvals'"])
    if data["version"] != REGISTER_VERSION:
        raise ApprovalError([f"{origin}: unsupported version {data['version']!r}"])
    items = data["approvals"] or []
    if not isinstance(items, list):
        raise ApprovalError([f"{origin}: approvals: expected a list"])
    problems: list[str] = []
    entries: dict[ArtefactRef, RegisterEntry] = {}
    for index, item in enumerate(items):
        try:
            entry = RegisterEntry.from_dict(item, f"{origin}: approvals[{index}]")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if entry.ref in entries:
            problems.append(f"{origin}: approvals[{index}]: duplicate entry for {entry.ref}")
        entries[entry.ref] = entry
    if problems:
        raise ApprovalError(problems)
    return tuple(entries.values())


# ----------------------------------------------------------------------------- hashing


def sha256_of(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (text is hashed as given)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def source_sha256(text: str) -> str:
    """SHA-256 of a source file's text with Windows line endings made Unix ones."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def _without_review(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in entry.items() if k != "review"}


def _own_review(review: Any) -> OwnReview | None:
    """An :class:`OwnReview` from a parsed review object or mapping (None if unreadable)."""

    def get(key: str) -> Any:
        return review.get(key) if isinstance(review, Mapping) else getattr(review, key, None)

    status = get("status")
    status_value = status.value if isinstance(status, Enum) else status
    try:
        parsed = ApprovalStatus(status_value)
    except ValueError:
        return None
    reviewed_on = get("reviewed_on")
    if isinstance(reviewed_on, str):
        reviewed_on = dt.date.fromisoformat(reviewed_on)
    role = get("role")
    return OwnReview(parsed, get("reviewer"), reviewed_on, role if isinstance(role, str) else None)


# ----------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class ArtefactSources:
    """The raw inputs the artefacts are enumerated from (packaged ones by default).

    Attributes:
        red_flags: Parsed ``red_flags.yml`` (a mapping with a ``red_flags`` list).
        red_flag_reviews: Review of each red flag, read through the triage parser.
        messages: Parsed ``messages.yml``.
        rules: Source text of each rule module (regimen, topic package code, table engine)
            and topic table, keyed by id.
        register: Parsed register, or None when there is none.
        content_root: Content directory the register was read from (for messages).
        pinned: The hashed text of each :data:`PINNED_SOURCES` entry found (the whole file,
            or only what its roots reach), keyed by its artefact.
    """

    red_flags: Any
    red_flag_reviews: Mapping[str, OwnReview]
    messages: Any
    rules: Mapping[str, str]
    register: Any
    content_root: str = "content"
    pinned: Mapping[ArtefactRef, str] = field(default_factory=dict)

    @classmethod
    def from_tree(
        cls, engine_dir: Traversable | Path, content_root: Traversable | Path | None = None
    ) -> ArtefactSources:
        """Read the raw sources of a ``guideline_engine`` folder (red-flag reviews unparsed).

        Args:
            engine_dir: Folder holding ``vocab/``, ``render/``, ``regimen/`` and ``content/``.
            content_root: Content directory of the register (default ``engine_dir/content``).
        """
        import yaml

        engine = as_traversable(engine_dir)
        root = content_root if content_root is not None else engine.joinpath("content")
        red_flags = yaml.safe_load(engine.joinpath("vocab", "red_flags.yml").read_text("utf-8"))
        items = red_flags.get("red_flags") if isinstance(red_flags, Mapping) else None
        reviews = {
            str(item["id"]): _own_review(item.get("review"))
            for item in items or []
            if isinstance(item, Mapping) and isinstance(item.get("id"), str)
        }
        return cls(
            red_flags=red_flags,
            red_flag_reviews={k: v for k, v in reviews.items() if v is not None},
            messages=yaml.safe_load(engine.joinpath("render", MESSAGES_FILE).read_text("utf-8")),
            rules={
                **rule_sources(engine.joinpath("regimen")),
                **topic_module_sources(engine.joinpath("content")),
                **table_engine_sources(engine),
                **topic_rule_sources(root),
            },
            register=read_register(root),
            content_root=str(root),
            pinned=pinned_sources(engine),
        )

    @classmethod
    def packaged(cls, content_root: Traversable | Path | str | None = None) -> ArtefactSources:
        """Read every source from the installed package; red-flag reviews via the parser.

        Raises:
            guideline_engine.extraction.vocab.VocabularyError: If red flags fail validation.
        """
        from guideline_engine.triage.rules import load_red_flags

        engine = resources.files("guideline_engine")
        root = as_traversable(content_root) if content_root is not None else None
        raw = cls.from_tree(engine, root)
        reviews = {flag.id: _own_review(flag.review) for flag in load_red_flags()}
        return dataclasses.replace(
            raw, red_flag_reviews={k: v for k, v in reviews.items() if v is not None}
        )


def rule_sources(package_dir: Traversable | Path) -> dict[str, str]:
    """Source text of every ``*.py`` rule module of the regimen folder, keyed ``regimen.<name>``."""
    folder = as_traversable(package_dir)
    return {
        f"regimen.{entry.name.removesuffix('.py')}": entry.read_text("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".py") and entry.is_file()
    }


PLAN_MODULE_PREFIXES = ("regimen.", "content.")
"""Rule ids of the code a rules-module plan rests on: the regimen engine and topic package code."""


def topic_module_sources(content_dir: Traversable | Path) -> dict[str, str]:
    """Source text of every ``*.py`` file of each topic package, keyed ``content.<folder>.<name>``.

    A topic's ``rules_module`` and ``renderer`` live there (``content/<folder>/*.py``): they
    decide and word its plans, so they are pinned like the regimen modules.
    """
    root = as_traversable(content_dir)
    out: dict[str, str] = {}
    for folder in sorted((c for c in root.iterdir() if c.is_dir()), key=lambda c: c.name):
        if folder.name.startswith((".", "__")):
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py") and entry.is_file():
                out[f"content.{folder.name}.{entry.name.removesuffix('.py')}"] = entry.read_text(
                    "utf-8"
                )
    return out


TABLE_ENGINE_MODULES = ("topics.decide", "topics.loader", "topics.model", "topics.render")
"""The code that turns a topic's ``rules.yml`` into decisions and wording, pinned like a rule
module: the loader reads rows and condition values, the model's conditions test the facts,
``decide`` applies rows and gates, ``render`` chooses each line's wording per audience."""


def table_engine_sources(engine_dir: Traversable | Path) -> dict[str, str]:
    """Source text of each :data:`TABLE_ENGINE_MODULES` file present, keyed by module id.

    A missing file is left out: its artefact is then unknown, and unknown never counts as
    approved, so table answers fail closed.
    """
    engine = as_traversable(engine_dir)
    out: dict[str, str] = {}
    for module in TABLE_ENGINE_MODULES:
        folder, name = module.split(".")
        entry = engine.joinpath(folder, f"{name}.py")
        if entry.is_file():
            out[module] = entry.read_text("utf-8")
    return out


TOPIC_TABLE_FILES = {"rules": "rules.yml", "manifest": "topic.yml"}
"""A topic package's decision table and manifest (questions, section titles), approved as rules."""


def topic_rule_sources(content_root: Traversable | Path) -> dict[str, str]:
    """Text of every topic's decision table and manifest, keyed ``topic.<folder>.<part>``."""
    root = as_traversable(content_root)
    out: dict[str, str] = {}
    for folder in sorted((c for c in root.iterdir() if c.is_dir()), key=lambda c: c.name):
        for part, name in TOPIC_TABLE_FILES.items():
            entry = folder.joinpath(name)
            if entry.is_file():
                out[f"topic.{folder.name}.{part}"] = entry.read_text("utf-8")
    return out


def topic_rule_refs(folder: str) -> tuple[ArtefactRef, ...]:
    """The rule artefacts a topic's table answer rests on.

    Its table and its manifest, the code that evaluates and words every table, and the code
    that classes laboratory numbers (a table's conditions test facts read through it).
    """
    own = tuple(
        ArtefactRef(ArtefactKind.RULE, f"topic.{folder}.{part}") for part in TOPIC_TABLE_FILES
    )
    engine = tuple(ArtefactRef(ArtefactKind.RULE, m) for m in TABLE_ENGINE_MODULES)
    return (*own, *engine, *lab_classing_refs())


@dataclass(frozen=True)
class PinnedSource:
    """An engine file pinned in the register: all of it, or only what some of its names reach.

    Attributes:
        kind: ``rule`` (code that decides) or ``signal`` (a trained signal's code or data).
        id: Artefact id, e.g. ``facts.lab_classing``.
        file: Path under the ``guideline_engine`` folder, e.g. ``facts.py``.
        roots: Top-level names whose closure is hashed (:func:`closure_source`); empty for
            the whole file.
    """

    kind: ArtefactKind
    id: str
    file: str
    roots: tuple[str, ...] = ()

    @property
    def ref(self) -> ArtefactRef:
        """Kind and id."""
        return ArtefactRef(self.kind, self.id)


LAB_CLASSING = (
    PinnedSource(ArtefactKind.RULE, "labs", "labs.py"),
    PinnedSource(ArtefactKind.RULE, "facts.lab_classing", "facts.py", ("_lab_with_status",)),
    PinnedSource(
        ArtefactKind.RULE,
        "extraction.numbers.lab_classing",
        "extraction/numbers.py",
        ("find_lab_status", "range_contradiction", "read_lab", "lab_unit"),
    ),
    # Session 10: an unsure value is tested against the gates' own conditions (review 10, H3).
    PinnedSource(
        ArtefactKind.RULE,
        "knowledge.model.gate_condition",
        "knowledge/model.py",
        ("GateCondition", "GateOperator"),
    ),
)
"""The code that classes a laboratory number low (or names it back): the topics' cut-offs
(``labs.py``, whole), the facts reader that applies them (``facts.py``), and the reading of a
value, its status words and the laboratory's stated range (``extraction/numbers.py``). The two
large modules are pinned by the closure of their classing functions, so editing how an age or a
platelet count is read does not reopen this approval, while any helper, pattern or constant the
classing reaches does (a test checks that what they import from the engine is pinned too)."""

TRIAGE_SIGNAL = (
    PinnedSource(ArtefactKind.SIGNAL, "triage.model", "triage/model.py"),
    PinnedSource(ArtefactKind.SIGNAL, "triage.semantic", "triage/semantic.py"),
    PinnedSource(ArtefactKind.SIGNAL, "triage.cues.words", "triage/cues.py", ("words",)),
    PinnedSource(ArtefactKind.SIGNAL, "classifier", "classifier.py"),
    PinnedSource(ArtefactKind.SIGNAL, "vocab.red_flag_training", "vocab/red_flag_training.yml"),
    PinnedSource(ArtefactKind.SIGNAL, "vocab.red_flag_exemplars", "vocab/red_flag_exemplars.yml"),
)
"""The trained triage signal: the model, its features (``triage/semantic.py``, shared with the
exemplar signal, and the tokeniser ``words`` of ``triage/cues.py``), the classifier, its
training data and the exemplars it also learns from. A red flag found only by it (``match:
{trained: true}``) needs these approved as well as its own entry."""

FOLLOWUP_SIGNAL = (
    PinnedSource(ArtefactKind.SIGNAL, "retrieval.learned", "retrieval/learned.py"),
    PinnedSource(ArtefactKind.SIGNAL, "classifier", "classifier.py"),
    PinnedSource(
        ArtefactKind.SIGNAL, "retrieval.followup_training", "retrieval/followup_training.yml"
    ),
)
"""The learned follow-up signal: it can put another snippet first, so it decides which snippet
answers a question."""

PINNED_SOURCES = tuple(dict.fromkeys((*LAB_CLASSING, *TRIAGE_SIGNAL, *FOLLOWUP_SIGNAL)))
"""Every pinned engine file, once each (the classifier serves both trained signals)."""


def _top_level_names(body: Iterable[ast.stmt]) -> dict[str, list[ast.stmt]]:
    """Module-level statements by the names they bind (``if TYPE_CHECKING:`` blocks included)."""
    out: dict[str, list[ast.stmt]] = {}
    for node in body:
        bound: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound = [node.name]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound = [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, ast.If):
            for name, nodes in _top_level_names([*node.body, *node.orelse]).items():
                out.setdefault(name, []).extend(nodes)
        for name in bound:
            out.setdefault(name, []).append(node)
    return out


def closure_nodes(text: str, roots: Iterable[str]) -> list[ast.stmt] | None:
    """The module-level statements ``roots`` reach by name, in file order.

    Starting from the statements that define ``roots``, every name used inside a reached
    statement adds the statements that bind it at module level (functions, classes,
    assignments, imports), until nothing new is reached. None when the text does not parse or
    a root is not defined (the artefact is then unknown, which never counts as approved).
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    names = _top_level_names(tree.body)
    todo = list(roots)
    if not all(root in names for root in todo):
        return None
    seen: set[str] = set()
    reached: dict[int, ast.stmt] = {}
    while todo:
        name = todo.pop()
        if name in seen or name not in names:
            continue
        seen.add(name)
        for node in names[name]:
            reached[id(node)] = node
            todo += [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    return sorted(reached.values(), key=lambda n: n.lineno)


def closure_source(text: str, roots: Iterable[str]) -> str | None:
    """The source lines of :func:`closure_nodes` (decorators included), or None."""
    nodes = closure_nodes(text, roots)
    if nodes is None:
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    parts = []
    for node in nodes:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        parts.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n".join(parts) + "\n"


def pinned_sources(engine_dir: Traversable | Path) -> dict[ArtefactRef, str]:
    """The hashed text of each :data:`PINNED_SOURCES` entry present under ``engine_dir``.

    A missing file, or one whose roots are gone, is left out: its artefact is then unknown,
    and unknown never counts as approved, so what rests on it fails closed.
    """
    engine = as_traversable(engine_dir)
    out: dict[ArtefactRef, str] = {}
    for pinned in PINNED_SOURCES:
        entry = engine.joinpath(*pinned.file.split("/"))
        if not entry.is_file():
            continue
        text = entry.read_text("utf-8")
        hashed = closure_source(text, pinned.roots) if pinned.roots else text
        if hashed is not None:
            out[pinned.ref] = hashed
    return out


def lab_classing_refs() -> tuple[ArtefactRef, ...]:
    """The artefacts of the code that classes laboratory numbers (:data:`LAB_CLASSING`)."""
    return tuple(p.ref for p in LAB_CLASSING)


def followup_signal_refs() -> tuple[ArtefactRef, ...]:
    """The artefacts of the learned follow-up signal (:data:`FOLLOWUP_SIGNAL`)."""
    return tuple(p.ref for p in FOLLOWUP_SIGNAL)


def triage_signal_refs() -> tuple[ArtefactRef, ...]:
    """The artefacts of the trained triage signal (:data:`TRIAGE_SIGNAL`)."""
    return tuple(p.ref for p in TRIAGE_SIGNAL)


def register_location(content_root: Traversable | Path | str | None) -> Traversable:
    """Where the register of a content directory lives."""
    return as_traversable(content_root).joinpath(REGISTER_FILE_NAME)


def read_register(content_root: Traversable | Path | str | None) -> Any:
    """The parsed register YAML of ``content_root``, or None if there is no register file."""
    import yaml

    location = register_location(content_root)
    if not location.is_file():
        return None
    return yaml.safe_load(location.read_text("utf-8"))


# ----------------------------------------------------------------------------- enumeration


def _snippet_candidates(kb: KnowledgeBase) -> list[Candidate]:
    out = []
    for s in kb.all_snippets:
        review = OwnReview(
            ApprovalStatus(s.review.status.value),
            s.review.reviewer,
            s.review.reviewed_on,
            getattr(s.review, "role", None),
        )
        ref = ArtefactRef(ArtefactKind.SNIPPET, s.id)
        out.append(Candidate(ref, s.content_hash, s.file, review))
    return out


def _red_flag_candidates(sources: ArtefactSources) -> list[Candidate]:
    items = sources.red_flags.get("red_flags") if isinstance(sources.red_flags, Mapping) else None
    out = []
    for item in items or []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            review = sources.red_flag_reviews.get(item["id"])
            ref = ArtefactRef(ArtefactKind.RED_FLAG, item["id"])
            sha = sha256_of(_without_review(item))
            out.append(Candidate(ref, sha, "vocab/red_flags.yml", review))
    return out


def _gate_candidates(kb: KnowledgeBase) -> list[Candidate]:
    """Gates of the knowledge base, if this version of it has any (read defensively)."""
    gates = getattr(kb, "all_gates", None) or getattr(kb, "gates", None) or ()
    out = []
    for gate in gates:
        ident = getattr(gate, "id", None)
        if not isinstance(ident, str) or not dataclasses.is_dataclass(gate):
            continue
        content = {
            f.name: getattr(gate, f.name)
            for f in dataclasses.fields(gate)
            if f.name not in {"review", "file"}
        }
        review = _own_review(getattr(gate, "review", None))
        ref = ArtefactRef(ArtefactKind.GATE, ident)
        file = str(getattr(gate, "file", ""))
        out.append(Candidate(ref, sha256_of(_plain(content)), file, review))
    return out


def _plain(value: Any) -> Any:
    """Dataclasses, tuples, sets and floats as canonical-JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(repr(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool | dt.date) or value is None:
        return value
    return repr(value)


def _message_candidates(sources: ArtefactSources) -> list[Candidate]:
    data = sources.messages if isinstance(sources.messages, Mapping) else {}
    file = f"render/{MESSAGES_FILE}"
    out = [
        Candidate(ArtefactRef(ArtefactKind.NOTE, str(code)), sha256_of(entry), file)
        for code, entry in (data.get("notes") or {}).items()
    ]
    for table in LABEL_TABLES:
        for key, text in (data.get(table) or {}).items():
            ref = ArtefactRef(ArtefactKind.LABEL, f"{table}.{key}")
            out.append(Candidate(ref, sha256_of(text), file))
    return out


def _rule_candidates(sources: ArtefactSources) -> list[Candidate]:
    return [
        Candidate(ArtefactRef(ArtefactKind.RULE, module), source_sha256(text), _rule_file(module))
        for module, text in sorted(sources.rules.items())
    ]


def _rule_file(module: str) -> str:
    """``content/b12/rules.py`` for a module, ``content/folate/rules.yml`` for a topic table."""
    if module.startswith("topic."):
        _, folder, part = module.split(".", 2)
        return f"content/{folder}/{TOPIC_TABLE_FILES[part]}"
    return f"{module.replace('.', '/')}.py"


def _pinned_candidates(sources: ArtefactSources) -> list[Candidate]:
    files = {p.ref: p.file for p in PINNED_SOURCES}
    return [
        Candidate(ref, source_sha256(text), files.get(ref, ""))
        for ref, text in sorted(sources.pinned.items())
    ]


def enumerate_candidates(kb: KnowledgeBase, sources: ArtefactSources) -> tuple[Candidate, ...]:
    """Every clinical artefact with its current hash, sorted by kind and id."""
    found = [
        *_snippet_candidates(kb),
        *_red_flag_candidates(sources),
        *_gate_candidates(kb),
        *_rule_candidates(sources),
        *_message_candidates(sources),
        *_pinned_candidates(sources),
    ]
    return tuple(sorted(found, key=lambda c: (list(ArtefactKind).index(c.ref.kind), c.ref.id)))


# ----------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Artefact:
    """An artefact's current hash and effective review state.

    ``problem`` says why a recorded approval does not count (stale, unpinned, disagreeing);
    such an artefact is never approved.
    """

    ref: ArtefactRef
    sha256: str
    file: str
    status: ApprovalStatus
    reviewer: str | None = None
    role: str | None = None
    reviewed_on: dt.date | None = None
    problem: str | None = None

    @property
    def approved(self) -> bool:
        """True only for an approval whose pinned content is the current content."""
        return self.status is ApprovalStatus.APPROVED and self.problem is None

    @property
    def stale(self) -> bool:
        """True when an approval exists but the content changed after it."""
        return self.problem is not None and self.problem.startswith("stale")

    @property
    def shown_status(self) -> str:
        """Status for listings: ``approved (stale)`` etc. when an approval does not count."""
        if self.status is ApprovalStatus.APPROVED and self.problem is not None:
            return "approved-stale" if self.stale else "approved-invalid"
        return self.status.value

    def to_payload(self) -> dict[str, Any]:
        """Kind, id and status for a refusal payload."""
        reason = self.problem or f"status {self.status.value}"
        return {"kind": self.ref.kind.value, "id": self.ref.id, "status": self.shown_status,
                "reason": reason}  # fmt: skip


def _stale(entry: RegisterEntry, current: str) -> str:
    return (
        f"stale: content changed after approval by {entry.reviewer} ({entry.role}) on "
        f"{entry.reviewed_on} (pinned {entry.sha256[:12]}, now {current[:12]}); run "
        f"'{CLI} reopen-artefact {entry.kind.value} {entry.id} --reviewer NAME' and approve again"
    )


def resolve(candidate: Candidate, entry: RegisterEntry | None) -> tuple[Artefact, list[str]]:
    """The effective state of one artefact and any warnings about its register row."""
    ref, sha = candidate.ref, candidate.sha256
    warnings: list[str] = []
    if ref.kind is ArtefactKind.SNIPPET:
        review = candidate.review or OwnReview(ApprovalStatus.SUBMITTED)
        return Artefact(ref, sha, candidate.file, review.status, review.reviewer, review.role,
                        review.reviewed_on), warnings  # fmt: skip
    problem: str | None = None
    if candidate.review is None:
        if entry is None:
            warnings.append(f"{ref}: not in the register; run '{CLI} rehash'")
            return Artefact(ref, sha, candidate.file, ApprovalStatus.SUBMITTED), warnings
        status, reviewer, reviewed_on = entry.status, entry.reviewer, entry.reviewed_on
    else:
        status = candidate.review.status
        reviewer, reviewed_on = candidate.review.reviewer, candidate.review.reviewed_on
        pinned = entry is not None and entry.status is ApprovalStatus.APPROVED
        if status is ApprovalStatus.APPROVED and not pinned:
            problem = f"approved in {candidate.file} but the register pins no approved content"
        elif status is not ApprovalStatus.APPROVED and pinned:
            problem = f"the register says approved but {candidate.file} says {status.value}"
        if entry is None:
            warnings.append(f"{ref}: not in the register; run '{CLI} rehash'")
    if entry is not None and entry.sha256 != sha:
        if entry.status is ApprovalStatus.APPROVED:
            problem = _stale(entry, sha)
        else:
            warnings.append(f"{ref}: register hash is out of date; run '{CLI} rehash'")
    role = entry.role if entry is not None else None
    artefact = Artefact(ref, sha, candidate.file, status, reviewer, role, reviewed_on, problem)
    return artefact, warnings


@dataclass(frozen=True)
class ApprovalState:
    """Every clinical artefact with its effective review state.

    Attributes:
        artefacts: All artefacts, sorted by kind and id.
        enforced: Whether the gate is on (``KB_APPROVED_ONLY``).
        problems: What fails validation: approvals that do not count (stale, unpinned,
            contradicting their review block; :func:`startup_check` refuses to start on
            these, see :attr:`approval_problems`) and, last, one line when an artefact has no
            register row or a row with an old hash.
        warnings: Each register row to catch up on (missing, with an old hash, or left over
            from a removed artefact); ``rehash`` fixes them all.
        trained_red_flags: Red flags found only by the trained signal (``match: {trained:
            true}``); default: the packaged ones.
    """

    artefacts: tuple[Artefact, ...]
    enforced: bool
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    trained_red_flags: frozenset[str] = field(default_factory=lambda: packaged_trained_red_flags())
    _by_ref: Mapping[ArtefactRef, Artefact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_ref", {a.ref: a for a in self.artefacts})

    def get(self, ref: ArtefactRef) -> Artefact | None:
        """The artefact, or None if there is no such artefact."""
        return self._by_ref.get(ref)

    def of_kind(self, kind: ArtefactKind) -> tuple[Artefact, ...]:
        """All artefacts of one kind."""
        return tuple(a for a in self.artefacts if a.ref.kind is kind)

    def unapproved(self, refs: Iterable[ArtefactRef]) -> tuple[Artefact, ...]:
        """The artefacts among ``refs`` that are not approved (unknown ones included)."""
        out: list[Artefact] = []
        for ref in dict.fromkeys(refs):
            found = self._by_ref.get(ref)
            if found is None:
                found = Artefact(ref, "", "", ApprovalStatus.SUBMITTED, problem="unknown artefact")
            if not found.approved:
                out.append(found)
        return tuple(out)

    def blocking(self, refs: Iterable[ArtefactRef]) -> tuple[Artefact, ...]:
        """What stops an answer needing ``refs``: nothing when the gate is off."""
        return self.unapproved(refs) if self.enforced else ()

    @property
    def approval_problems(self) -> tuple[str, ...]:
        """The problems that make an approval not count (register drift left out)."""
        return tuple(p for p in self.problems if not p.startswith(_DRIFT))

    def needed_by_red_flag(self, red_flag_id: str) -> tuple[ArtefactRef, ...]:
        """What a red flag's advice rests on.

        Its own entry, and the trained signal when only that signal finds it: the entry's
        approval says nothing of when the model fires.
        """
        own = ArtefactRef(ArtefactKind.RED_FLAG, red_flag_id)
        trained = red_flag_id in self.trained_red_flags
        return (own, *triage_signal_refs()) if trained else (own,)

    def advice_pending(self, red_flag_ids: Iterable[str]) -> frozenset[str]:
        """Red flags whose advice must be replaced by the pending-review line (gate on).

        They still escalate: only their advice waits for review.
        """
        return frozenset(i for i in red_flag_ids if self.blocking(self.needed_by_red_flag(i)))

    def needed_by_plan(self, plan: Plan, gate_ids: Iterable[str]) -> tuple[ArtefactRef, ...]:
        """Everything a plan's answer rests on.

        Its snippets, notes and frequency labels, every regimen rule module and topic package
        module (:data:`PLAN_MODULE_PREFIXES`: its rules module and renderer), the gates
        checked before it (``gate_ids``: its topic's and those of topics it defers to; another
        topic's gates do not hold it back), and the code that classes laboratory numbers when
        the plan's facts hold a laboratory result.
        """
        refs = [ArtefactRef(ArtefactKind.SNIPPET, sid) for sid in plan.snippet_ids()]
        notes = {a.ref.id for a in self.of_kind(ArtefactKind.NOTE)}
        for line in (*plan.warnings, *plan.monitoring, *plan.notes):
            if line.code in notes:
                refs.append(ArtefactRef(ArtefactKind.NOTE, line.code))
        for step in (*plan.loading, *plan.maintenance):
            refs.append(ArtefactRef(ArtefactKind.LABEL, f"frequency.{step.frequency.value}"))
        refs += [
            a.ref
            for a in self.of_kind(ArtefactKind.RULE)
            if a.ref.id.startswith(PLAN_MODULE_PREFIXES)
        ]
        refs += [ArtefactRef(ArtefactKind.GATE, gate_id) for gate_id in gate_ids]
        if any(lab is not None for lab in (plan.facts.b12, plan.facts.folate, plan.facts.mma)):
            refs += lab_classing_refs()
        return tuple(dict.fromkeys(refs))

    def counts(self) -> dict[str, Counter[str]]:
        """Per kind, how many artefacts have each (shown) status."""
        out: dict[str, Counter[str]] = {k.value: Counter() for k in ArtefactKind}
        for a in self.artefacts:
            out[a.ref.kind.value][a.shown_status] += 1
        return out

    def summary(self) -> str:
        """One line for the start-up log."""
        gate = (
            "ON: answers that need unapproved content are refused"
            if self.enforced
            else ("off: unapproved content is shown labelled 'pending clinical review'")
        )
        parts = []
        for kind, counter in self.counts().items():
            total = sum(counter.values())
            parts.append(f"{kind} {counter.get('approved', 0)}/{total} approved")
        stale = sum(1 for a in self.artefacts if a.stale)
        return (
            f"clinical approval gate {gate} ({APPROVED_ONLY_ENV}); "
            + ", ".join(parts)
            + f"; {stale} stale approval(s); {len(self.warnings)} register warning(s)"
        )


def approval_state(
    kb: KnowledgeBase, sources: ArtefactSources, *, enforced: bool | None = None
) -> ApprovalState:
    """Resolve every artefact of ``kb`` and ``sources`` against the register.

    Args:
        kb: The validated knowledge base (snippets and gates).
        sources: Red flags, messages, rule sources and the register.
        enforced: Gate on or off; ``None`` follows ``kb.approved_only``.

    Raises:
        ApprovalError: If the register itself is malformed.
    """
    entries = {e.ref: e for e in parse_register(sources.register)}
    artefacts: list[Artefact] = []
    problems: list[str] = []
    warnings: list[str] = []
    for candidate in enumerate_candidates(kb, sources):
        artefact, notes = resolve(candidate, entries.pop(candidate.ref, None))
        artefacts.append(artefact)
        warnings += notes
        if artefact.problem is not None:
            problems.append(f"{artefact.ref}: {artefact.problem}")
    if warnings:  # every change of clinical content must show in the register: validation fails
        problems.append(
            f"{_DRIFT} for {len(warnings)} artefact(s) (see the warnings): content changed or "
            f"appeared without its row being refreshed; run '{CLI} rehash' (make kb-rehash) "
            "and commit the register with the change"
        )
    # A removed artefact is no longer shown, so its leftover row is bookkeeping, not a hazard.
    warnings += [
        f"{REGISTER_PATH}: {ref}: no such artefact; run '{CLI} rehash'" for ref in sorted(entries)
    ]
    return ApprovalState(
        tuple(artefacts),
        kb.approved_only if enforced is None else enforced,
        tuple(problems),
        tuple(warnings),
        trained_red_flags(sources.red_flags),
    )


def trained_red_flags(red_flags: Any) -> frozenset[str]:
    """Ids of the red flags a parsed ``red_flags.yml`` marks ``match: {trained: true}``."""
    items = red_flags.get("red_flags") if isinstance(red_flags, Mapping) else None
    return frozenset(
        str(item["id"])
        for item in items or []
        if isinstance(item, Mapping)
        and isinstance(item.get("match"), Mapping)
        and item["match"].get("trained") is True
    )


def packaged_trained_red_flags() -> frozenset[str]:
    """Ids of the packaged red flags found only by the trained signal."""
    from guideline_engine.triage.rules import load_red_flags

    return frozenset(flag.id for flag in load_red_flags() if flag.trained)


def load_approval_state(
    kb: KnowledgeBase, content_root: Traversable | Path | str | None = None
) -> ApprovalState:
    """The approval state of the packaged artefacts (gate as ``kb.approved_only``)."""
    return approval_state(kb, ArtefactSources.packaged(content_root))


def startup_check(kb: KnowledgeBase | None = None) -> ApprovalState:
    """Validate every clinical artefact and its approval before a server starts.

    Args:
        kb: The knowledge base; ``None`` loads the packaged one with ``KB_APPROVED_ONLY``.

    Raises:
        guideline_engine.knowledge.KnowledgeError: If the knowledge base is invalid.
        ValueError: If ``KB_APPROVED_ONLY`` holds an unrecognised value.
        ApprovalError: If the register is malformed or an approval does not count (stale,
            unpinned or contradicting its review block).
        guideline_engine.extraction.vocab.VocabularyError: If the red flags are invalid.
    """
    state = load_approval_state(kb if kb is not None else load_knowledge_base())
    if state.approval_problems:  # a register out of date only is logged (its warnings)
        raise ApprovalError(state.approval_problems)
    return state


def content_unavailable_payload(kb_version: str, blockers: Iterable[Artefact]) -> dict[str, Any]:
    """The ``b12.content_unavailable`` payload naming every artefact that is not approved."""
    listed = list(blockers)
    return {
        "type": REFUSAL_TYPE,
        "kb_version": kb_version,
        "snippet_ids": [a.ref.id for a in listed if a.ref.kind is ArtefactKind.SNIPPET],
        "artefacts": [a.to_payload() for a in listed],
    }

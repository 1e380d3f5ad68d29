// Rendering of bot payloads into DOM nodes. Every piece of bot or user text goes in with
// textContent (never innerHTML), so markup in a message is shown as text.

export type Json = Record<string, unknown>;

/** The `answer` object of every engine payload (guideline_engine/render/answer.py). */
export interface AnswerLine {
  text: string;
  cites: number[];
  snippet_ids?: string[];
}

export interface AnswerSection {
  title: string;
  style: "lead" | "list" | "warning" | "steps" | "note";
  lines: AnswerLine[];
}

export interface AnswerCitation {
  number: number;
  snippet_id: string;
  topic: string;
  label: string;
  text: string;
  review: string;
}

export interface Answer {
  kind: string;
  topic: string | null;
  audience: string;
  title: string;
  banner: { level: string; text: string; cites: number[] } | null;
  sections: AnswerSection[];
  citations: AnswerCitation[];
  sources_line: string;
  buttons: { title: string; payload: string }[];
}

let idCounter = 0;
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${idCounter}`;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Heading levels: the widget title's level (1-4, default 2); cards and sections go below it. */
export interface Levels {
  card: number;
  section: number;
}

export function levelsBelow(title: number): Levels {
  return { card: Math.min(title + 1, 6), section: Math.min(title + 2, 6) };
}

export function heading(level: number, className: string, text: string): HTMLHeadingElement {
  const n = Math.max(1, Math.min(6, Math.round(level)));
  return el(`h${n}` as "h2", className, text);
}

const DEFAULT_LEVELS = levelsBelow(2);

function pendingBadge(text = "pending clinical review"): HTMLElement {
  return el("span", "b12c-badge", text);
}

/**
 * Numbered citations that expand (details/summary) to snippet text, source and review status.
 * `name` labels the region and must be unique on the page (e.g. "Citations for answer 2").
 */
export function citationList(
  citations: AnswerCitation[],
  name: string,
  levels: Levels = DEFAULT_LEVELS,
): { root: HTMLElement; details: Map<number, HTMLDetailsElement> } {
  const root = el("section", "b12c-citations");
  root.setAttribute("aria-label", name);
  root.append(heading(levels.section, "b12c-subheading", "Citations"));
  const list = el("ol", "b12c-citation-list");
  const details = new Map<number, HTMLDetailsElement>();
  for (const cite of citations) {
    const item = el("li");
    const box = el("details", "b12c-citation");
    const summary = el("summary");
    summary.append(el("span", "b12c-cite-num", `[${cite.number}]`), document.createTextNode(" "));
    const preview = cite.text.length > 80 ? `${cite.text.slice(0, 77)}...` : cite.text;
    summary.append(el("span", "b12c-cite-preview", preview));
    box.append(summary, el("p", "b12c-cite-text", cite.text), el("p", "b12c-cite-meta", cite.label));
    if (cite.review) box.append(pendingBadge(cite.review));
    item.append(box);
    list.append(item);
    details.set(cite.number, box);
  }
  root.append(list);
  return { root, details };
}

function citeMarks(numbers: number[], details: Map<number, HTMLDetailsElement>): HTMLElement {
  const wrap = el("span", "b12c-marks");
  for (const n of numbers) {
    const box = details.get(n);
    if (!box) continue;
    const button = el("button", "b12c-mark", `[${n}]`);
    button.type = "button";
    button.setAttribute("aria-label", `Show citation ${n}`);
    button.addEventListener("click", () => {
      box.open = true;
      box.querySelector("summary")?.focus();
    });
    wrap.append(" ", button);
  }
  return wrap;
}

function lineNodes(line: AnswerLine, details: Map<number, HTMLDetailsElement>): Node[] {
  const nodes: Node[] = [document.createTextNode(line.text)];
  if (line.cites.length) nodes.push(citeMarks(line.cites, details));
  return nodes;
}

/** The answer as plain text, as the engine's `Answer.to_text()` words it. */
export function answerText(answer: Answer): string {
  const marks = (cites: number[]) => cites.map((n) => `[${n}]`).join("");
  const withMarks = (text: string, cites: number[]) => (cites.length ? `${text} ${marks(cites)}` : text);
  const out: string[] = [];
  if (answer.banner) out.push(withMarks(answer.banner.text, answer.banner.cites));
  if (answer.title) out.push(answer.title);
  for (const section of answer.sections) {
    if (section.title) out.push(section.title);
    const bullet = ["list", "warning", "note"].includes(section.style) ? "- " : "";
    for (const line of section.lines) out.push(bullet + withMarks(line.text, line.cites));
  }
  if (answer.citations.length) {
    out.push("", answer.sources_line);
    for (const c of answer.citations) out.push(`[${c.number}] ${c.label}`);
  }
  return out.join("\n").trim();
}

function sectionNode(section: AnswerSection, details: Map<number, HTMLDetailsElement>, levels: Levels): HTMLElement {
  const box = el("div", `b12c-section b12c-${section.style === "steps" ? "steps" : `section-${section.style}`}`);
  if (section.style === "warning") box.classList.add("b12c-warnings");
  if (section.title) box.append(heading(levels.section, "b12c-subheading", section.title.replace(/:\s*$/, "")));
  if (section.style === "lead" || section.style === "steps") {
    for (const line of section.lines) {
      const p = el("p", "b12c-line");
      p.append(...lineNodes(line, details));
      box.append(p);
    }
    return box;
  }
  const list = el("ul", "b12c-list");
  for (const line of section.lines) {
    const item = el("li");
    item.append(...lineNodes(line, details));
    list.append(item);
  }
  box.append(list);
  return box;
}

export interface CardOptions {
  /** The card's number on the page, for unique landmark names ("Citations for answer 2"). */
  number?: number;
  levels?: Levels;
}

function asAnswer(value: unknown): Answer | null {
  if (!value || typeof value !== "object") return null;
  const a = value as Answer;
  if (typeof a.kind !== "string" || !Array.isArray(a.sections)) return null;
  return {
    ...a,
    title: typeof a.title === "string" ? a.title : "",
    citations: Array.isArray(a.citations) ? a.citations : [],
    buttons: Array.isArray(a.buttons) ? a.buttons : [],
    sources_line: typeof a.sources_line === "string" ? a.sources_line : "",
  };
}

/**
 * One engine answer as a card: banner first, then title, sections (lines with citation marks),
 * numbered citations and the sources line. Every word comes from the engine's answer, worded
 * for its audience: there is no label, frequency or heading table here.
 */
export function answerCard(payload: Json, options: CardOptions = {}): HTMLElement | null {
  const answer = asAnswer(payload.answer);
  if (!answer) return null;
  const levels = options.levels ?? DEFAULT_LEVELS;
  const n = options.number ?? 1;
  const kind = answer.kind.replace(/[^a-z0-9_-]/gi, "");
  const audience = answer.audience === "clinician" ? "clinician" : "patient";
  const card = el("article", `b12c-card b12c-answer b12c-${kind} b12c-${kind}-${audience}`);
  card.dataset.audience = audience;
  if (typeof answer.topic === "string" && /^[a-z0-9_-]+$/i.test(answer.topic)) card.dataset.topic = answer.topic;
  const { root: citeRoot, details } = citationList(answer.citations, `Citations for answer ${n}`, levels);
  if (answer.banner) {
    const level = ["emergency", "urgent", "advice", "routine", "info"].includes(answer.banner.level) ? answer.banner.level : "info";
    const banner = el("div", `b12c-banner b12c-banner-${level}`);
    if (level === "emergency" || level === "urgent") banner.setAttribute("role", "alert");
    const p = el("p", "b12c-banner-text");
    p.append(...lineNodes({ text: answer.banner.text, cites: answer.banner.cites ?? [] }, details));
    banner.append(p);
    card.append(banner);
  }
  if (answer.title) {
    const titleId = uid("b12c-answer");
    const header = el("header", "b12c-card-head");
    const h = heading(levels.card, "b12c-card-title", answer.title.replace(/:\s*$/, ""));
    h.id = titleId;
    header.append(h);
    if (answer.citations.some((c) => c.review)) header.append(pendingBadge());
    card.append(header);
    card.setAttribute("aria-labelledby", titleId);
  }
  const body = el("div", "b12c-body");
  for (const section of answer.sections) body.append(sectionNode(section, details, levels));
  card.append(body);
  if (answer.citations.length) card.append(citeRoot);
  if (answer.sources_line) card.append(el("p", "b12c-sources", answer.sources_line));
  return card;
}

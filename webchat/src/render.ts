// Rendering of bot payloads into DOM nodes. Every piece of bot or user text goes in with
// textContent (never innerHTML), so markup in a message is shown as text.

export type Json = Record<string, unknown>;

export interface Citation {
  snippet_id: string;
  text: string;
  source: string;
  year: number | string | null;
  review_status?: string;
  pending_review?: boolean;
  label?: string | null;
  cites?: number[];
}

interface Duration {
  kind: string;
  min: number | null;
  max: number | null;
  unit: string | null;
}

interface Step {
  dose: number | null;
  dose_max?: number | null;
  unit: string | null;
  route?: string | null;
  frequency?: string | null;
  duration?: Duration | null;
  snippet_ids?: string[];
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

// Clinician plan rows only: patients never see a dose, unit, frequency or duration.
const FREQUENCY: Record<string, string> = {
  daily: "daily",
  alternate_days: "on alternate days",
  three_times_weekly: "three times a week",
  every_3_to_4_days: "every 3-4 days",
  monthly: "monthly",
  every_2_months: "every 2 months",
  every_2_to_3_months: "every 2-3 months",
};

// Short labels for plan codes on the clinician's card; the cited snippets below the card carry
// the clinical wording. Patient cards show the engine's own plain-language text instead.
const LABELS: Record<string, string> = {
  folic_acid_before_b12: "Do not give folic acid before B12 treatment",
  folic_acid_already_started: "Folic acid already started: tell the treating clinician",
  check_folate_and_b12: "Check both folate and B12 levels",
  mma_if_indeterminate: "If the B12 result is indeterminate, consider methylmalonic acid (MMA)",
  dietary_fortified_foods: "Diet-related: fortified foods or supplements",
  elderly_monitor_closely: "Older patient: monitor closely",
  oral_needs_close_monitoring: "Oral treatment needs close monitoring",
  oral_intermittent_maintenance: "Oral maintenance may be intermittent",
  platelets_at_or_below_50: "Platelets at or below 50 x10^9/L: injection caution",
  hb_and_b12_normalise_within_2_months: "Haemoglobin and B12 expected to normalise within 2 months",
  neuro_improvement_within_1_month: "Neurological improvement expected within 1 month",
  individualised_injection_frequency: "Injection frequency may be individualised",
  cause_medication_not_covered: "Medication-related deficiency is not covered by the source",
  cause_unknown: "Cause not stated: it may change the duration",
  pregnancy_not_covered: "Pregnancy is not covered by the source: seek specialist advice",
  ileal_resection_20cm_or_less_not_covered: "Ileal resection of 20 cm or less is not covered",
  ileal_resection_length_unknown: "Ileal resection length not given",
  ileal_resection_source_gives_injections: "After ileal resection the source gives injections",
  oral_suits_normal_absorption: "Oral treatment suits normal absorption",
  oral_preference_noted_for_specialist: "Oral preference noted for the specialist",
  us_regimen_not_stated_for_neuro: "US schedule not stated for neurological involvement",
  specialist_advice_low_platelets: "Low platelets: seek specialist advice",
  route_needs_specialist_decision: "Route needs the specialist's decision",
};

export function label(code: string): string {
  const known = LABELS[code];
  if (known) return known;
  const words = code.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function num(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}

function span(low: number | null, high: number | null | undefined): string {
  if (low === null) return "";
  return high !== null && high !== undefined && high !== low ? `${num(low)}-${num(high)}` : num(low);
}

function describeDuration(duration: Duration | null | undefined): string {
  if (!duration) return "";
  switch (duration.kind) {
    case "fixed":
      return `for ${span(duration.min, duration.max)} ${duration.unit ?? ""}`.trim();
    case "doses":
      return `${span(duration.min, duration.max)} doses`;
    case "until_no_further_improvement":
      return "until there is no further improvement";
    case "lifelong":
      return "for life";
    case "indefinite":
      return "indefinitely";
    case "not_stated":
      return "duration not stated by the source";
    default:
      return label(duration.kind).toLowerCase();
  }
}

export function describeStep(step: Step): string {
  const dose = `${span(step.dose, step.dose_max)} ${step.unit ?? ""}`.trim();
  const parts = [
    dose,
    step.route ?? "",
    step.frequency ? (FREQUENCY[step.frequency] ?? label(step.frequency).toLowerCase()) : "",
    describeDuration(step.duration),
  ];
  return parts.filter((p) => p).join(", ");
}

function asCitations(value: unknown): Citation[] {
  return Array.isArray(value)
    ? (value.filter((c) => c && typeof c === "object" && typeof (c as Json).snippet_id === "string") as Citation[])
    : [];
}

function pendingBadge(text = "pending clinical review"): HTMLElement {
  return el("span", "b12c-badge", text);
}

/**
 * Numbered citations that expand (details/summary) to snippet text, source and year.
 * `name` labels the region and must be unique on the page (e.g. "Citations for plan 2").
 */
export function citationList(
  citations: Citation[],
  title: string,
  name: string,
  levels: Levels = DEFAULT_LEVELS,
): { root: HTMLElement; ids: Map<string, number>; details: HTMLDetailsElement[] } {
  const root = el("section", "b12c-citations");
  root.setAttribute("aria-label", name);
  root.append(heading(levels.section, "b12c-subheading", title));
  const list = el("ol", "b12c-citation-list");
  const ids = new Map<string, number>();
  const details: HTMLDetailsElement[] = [];
  citations.forEach((cite, index) => {
    const n = index + 1;
    ids.set(cite.snippet_id, n);
    const item = el("li");
    const box = el("details", "b12c-citation");
    const summary = el("summary");
    summary.append(el("span", "b12c-cite-num", `[${n}]`), document.createTextNode(" "));
    const preview = cite.text.length > 80 ? `${cite.text.slice(0, 77)}...` : cite.text;
    summary.append(el("span", "b12c-cite-preview", preview));
    box.append(summary);
    box.append(el("p", "b12c-cite-text", cite.text));
    const meta = el("p", "b12c-cite-meta");
    const year = cite.year ? `, ${cite.year}` : "";
    meta.textContent = `Source: ${cite.source}${year}.`;
    if (cite.cites && cite.cites.length) meta.textContent += ` Source reference numbers: ${cite.cites.join(", ")}.`;
    box.append(meta);
    const idLine = el("p", "b12c-cite-id", `Snippet ${cite.snippet_id}`);
    if (cite.pending_review || cite.label) idLine.append(document.createTextNode(" "), pendingBadge(cite.label || "pending clinical review"));
    box.append(idLine);
    item.append(box);
    list.append(item);
    details.push(box);
  });
  root.append(list);
  return { root, ids, details };
}

function citeMarks(snippetIds: string[] | undefined, ids: Map<string, number>, details: HTMLDetailsElement[]): HTMLElement {
  const wrap = el("span", "b12c-marks");
  for (const sid of snippetIds ?? []) {
    const n = ids.get(sid);
    if (!n) continue;
    const button = el("button", "b12c-mark", `[${n}]`);
    button.type = "button";
    button.setAttribute("aria-label", `Show citation ${n}`);
    button.addEventListener("click", () => {
      const box = details[n - 1];
      box.open = true;
      box.querySelector("summary")?.focus();
    });
    wrap.append(" ", button);
  }
  return wrap;
}

function row(term: string, value: string | Node, marks?: HTMLElement): HTMLElement {
  const item = el("div", "b12c-row");
  item.append(el("dt", undefined, term));
  const dd = el("dd");
  if (typeof value === "string") dd.textContent = value;
  else dd.append(value);
  if (marks) dd.append(marks);
  item.append(dd);
  return item;
}

function codeList(className: string, title: string, codes: unknown, levels: Levels): HTMLElement | null {
  if (!Array.isArray(codes) || codes.length === 0) return null;
  const box = el("div", className);
  box.append(heading(levels.section, "b12c-subheading", title));
  const list = el("ul");
  for (const code of codes) list.append(el("li", undefined, label(String(code))));
  box.append(list);
  return box;
}

export interface CardOptions {
  /** The bot's text messages of the turn that belong to this payload (body, source footer). */
  texts?: string[];
  /** The card's number on the page, for unique landmark names ("Citations for plan 2"). */
  number?: number;
  levels?: Levels;
}

const MARKS_AT_END = /((?:\[\d+\])+)\s*$/;

/** One line of the engine's text: its words as text, trailing [n] marks as citation buttons. */
function textWithMarks(line: string, marks: (numbers: number[]) => HTMLElement): Node[] {
  const found = MARKS_AT_END.exec(line);
  if (!found) return [document.createTextNode(line)];
  const numbers = (found[1].match(/\d+/g) ?? []).map(Number);
  return [document.createTextNode(line.slice(0, found.index).trimEnd()), marks(numbers)];
}

/**
 * The engine's plain-language plan text, laid out: "Heading:" lines as subheadings, "- " lines
 * as list items, anything else as a paragraph. Every word comes from the engine's text; the
 * source footer ("Sources: ...") is left out because the card lists the citations itself.
 */
function engineText(texts: string[], marks: (numbers: number[]) => HTMLElement, levels: Levels): HTMLElement {
  const box = el("div", "b12c-plain");
  let list: HTMLUListElement | null = null;
  const lines = texts
    .filter((part) => !/^\s*Sources?:/.test(part))
    .flatMap((part) => part.split("\n"))
    .filter((line) => line.trim());
  for (const line of lines) {
    if (line.startsWith("- ")) {
      if (!list) {
        list = el("ul", "b12c-plain-list");
        box.append(list);
      }
      const item = el("li");
      item.append(...textWithMarks(line.slice(2), marks));
      list.append(item);
      continue;
    }
    list = null;
    if (/:\s*$/.test(line) && !MARKS_AT_END.test(line) && line.length <= 80 && box.childElementCount > 0) {
      box.append(heading(levels.section, "b12c-subheading", line.replace(/:\s*$/, "")));
    } else {
      const para = el("p", "b12c-plain-text");
      para.append(...textWithMarks(line, marks));
      box.append(para);
    }
  }
  return box;
}

/** A "Show as text" box with the bot's text messages, word for word. */
function asText(texts: string[]): HTMLElement {
  const box = el("details", "b12c-astext");
  box.append(el("summary", undefined, "Show as text"));
  for (const text of texts) box.append(el("p", "b12c-astext-part", text));
  return box;
}

function planHeader(title: string, titleId: string, citations: Citation[], levels: Levels): HTMLElement {
  const header = el("header", "b12c-card-head");
  const h = heading(levels.card, "b12c-card-title", title);
  h.id = titleId;
  header.append(h);
  if (citations.some((c) => c.pending_review)) header.append(pendingBadge());
  return header;
}

/**
 * The treatment plan (b12.regimen) as a card. A clinician's card shows the structured plan
 * (drug, route, loading and maintenance doses, duration) with citation marks. Any other
 * audience gets the engine's plain-language text and the patient-worded citations only:
 * patients never see a dose, unit, frequency or duration row.
 */
export function planCard(payload: Json, options: CardOptions = {}): HTMLElement {
  const levels = options.levels ?? DEFAULT_LEVELS;
  const texts = options.texts ?? [];
  const n = options.number ?? 1;
  const citations = asCitations(payload.citations);
  const clinician = payload.audience === "clinician";
  const card = el("article", `b12c-card b12c-plan b12c-plan-${clinician ? "clinician" : "patient"}`);
  const titleId = uid("b12c-plan");
  card.setAttribute("aria-labelledby", titleId);
  card.append(planHeader(clinician ? "Treatment plan" : "What the guideline says", titleId, citations, levels));
  const { root: citeRoot, ids, details } = citationList(citations, "Citations", `Citations for plan ${n}`, levels);
  const marks = (numbers: number[]) =>
    citeMarks(
      numbers.map((k) => citations[k - 1]?.snippet_id).filter((sid): sid is string => Boolean(sid)),
      ids,
      details,
    );
  if (clinician) clinicianRows(card, payload, ids, details, levels);
  else if (texts.length) card.append(engineText(texts, marks, levels));
  if (citations.length) card.append(citeRoot);
  if (typeof payload.kb_version === "string") card.append(el("p", "b12c-kb", `Knowledge base ${payload.kb_version}`));
  if (texts.length) card.append(asText(texts));
  return card;
}

/** Structured plan rows for a clinician: facts, doses and schedules, warnings, with marks. */
function clinicianRows(
  card: HTMLElement,
  payload: Json,
  ids: Map<string, number>,
  details: HTMLDetailsElement[],
  levels: Levels,
): void {
  const plan = (payload.plan ?? {}) as Json;
  const citations = asCitations(payload.citations);
  const marks = (sids: string[] | undefined) => citeMarks(sids, ids, details);
  const specialistIds = citations.filter((c) => c.snippet_id.includes("specialist")).map((c) => c.snippet_id);
  if (plan.urgent_specialist_advice) {
    const specialists = Array.isArray(plan.specialists) ? (plan.specialists as string[]).join(" and ") : "";
    const urgent = el("p", "b12c-urgent-advice");
    urgent.append(el("strong", undefined, "Urgent specialist advice"));
    urgent.append(document.createTextNode(specialists ? `: ${specialists}.` : "."));
    urgent.append(marks(specialistIds));
    card.append(urgent);
  }
  const facts = el("dl", "b12c-facts");
  facts.append(row("Neurological involvement", String(plan.neurological_involvement ?? "unknown")));
  if (plan.cause) facts.append(row("Cause", label(String(plan.cause))));
  if (plan.drug || plan.route) facts.append(row("Drug and route", [plan.drug, plan.route].filter(Boolean).join(", ")));
  card.append(facts);
  const steps = el("dl", "b12c-steps");
  for (const [name, key] of [
    ["Loading", "loading"],
    ["Maintenance", "maintenance"],
  ] as const) {
    const list = Array.isArray(plan[key]) ? (plan[key] as Step[]) : [];
    for (const step of list) steps.append(row(name, describeStep(step), marks(step.snippet_ids)));
  }
  const lifelong = plan.lifelong === true ? "Lifelong" : plan.lifelong === false ? "Not lifelong" : "Not stated by the source for these facts";
  steps.append(row("Duration", lifelong));
  card.append(steps);
  for (const part of [
    codeList("b12c-warnings", "Warnings", plan.warnings, levels),
    codeList("b12c-monitoring", "Monitoring", plan.monitoring, levels),
    codeList("b12c-notes", "Not covered / would change the plan", plan.notes, levels),
  ]) {
    if (part) card.append(part);
  }
}

/** A follow-up answer (b12.answer): its snippets as citations. */
export function answerCard(payload: Json, options: CardOptions = {}): HTMLElement | null {
  const citations = asCitations(payload.snippets);
  if (!citations.length) return null;
  const card = el("article", "b12c-card b12c-answer");
  const { root } = citationList(citations, "From the guideline", `From the guideline, answer ${options.number ?? 1}`, options.levels);
  if (citations.some((c) => c.pending_review)) card.append(pendingBadge());
  card.append(root);
  return card;
}

const TRIAGE_HEADINGS: Record<string, string> = {
  emergency: "Emergency: call your local emergency number now",
  urgent: "Urgent: contact a clinician today",
  routine: "Mention this at your next appointment",
};

/** Triage banner (b12.triage): emergency red, urgent amber, routine neutral. */
export function triageBanner(payload: Json): HTMLElement {
  const urgency = ["emergency", "urgent", "routine"].includes(String(payload.urgency)) ? String(payload.urgency) : "routine";
  const banner = el("div", `b12c-triage b12c-triage-${urgency}`);
  if (urgency !== "routine") banner.setAttribute("role", "alert");
  // The engine words the heading ("I cannot assess these symptoms here" when it recognises none);
  // the table is only a fallback for payloads without one.
  const engineHeading = typeof payload.heading === "string" && payload.heading ? payload.heading : "";
  banner.append(el("p", "b12c-triage-heading", engineHeading || TRIAGE_HEADINGS[urgency]));
  if (typeof payload.advice === "string" && payload.advice) {
    const advice = el("p", "b12c-triage-advice");
    advice.append(el("strong", undefined, "What to do now: "), document.createTextNode(payload.advice));
    banner.append(advice);
  }
  const flags = Array.isArray(payload.red_flags) ? (payload.red_flags as string[]) : [];
  if (flags.length) banner.append(el("p", "b12c-triage-flags", `Warning signs: ${flags.map((f) => label(f).toLowerCase()).join(", ")}.`));
  return banner;
}

/** Why? (b12.why): facts used and rule path. */
export function whyCard(payload: Json, levels: Levels = DEFAULT_LEVELS): HTMLElement {
  const card = el("article", "b12c-card b12c-why");
  card.append(heading(levels.card, "b12c-card-title", "Why this plan"));
  const facts = el("dl", "b12c-facts");
  for (const [key, value] of Object.entries((payload.facts_used ?? {}) as Json)) {
    facts.append(row(label(key), Array.isArray(value) ? value.map((v) => label(String(v))).join(", ") : String(value)));
  }
  card.append(heading(levels.section, "b12c-subheading", "Facts used"), facts);
  // Patients get no rule path (it names doses); clinicians do.
  if (Array.isArray(payload.rule_path) && payload.rule_path.length) {
    const steps = el("ol", "b12c-rules");
    for (const step of payload.rule_path) steps.append(el("li", undefined, String(step)));
    card.append(heading(levels.section, "b12c-subheading", "Rules applied"), steps);
  }
  return card;
}

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

const FREQUENCY: Record<string, string> = {
  daily: "daily",
  alternate_days: "on alternate days",
  three_times_weekly: "three times a week",
  every_3_to_4_days: "every 3-4 days",
  monthly: "monthly",
  every_2_months: "every 2 months",
  every_2_to_3_months: "every 2-3 months",
};

// Short labels for plan codes; the cited snippets below the card carry the clinical wording.
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

/** Numbered citations that expand (details/summary) to snippet text, source and year. */
export function citationList(citations: Citation[], heading: string): { root: HTMLElement; ids: Map<string, number>; details: HTMLDetailsElement[] } {
  const root = el("section", "b12c-citations");
  const headingId = uid("b12c-cites");
  const h = el("h4", "b12c-subheading", heading);
  h.id = headingId;
  root.setAttribute("aria-labelledby", headingId);
  root.append(h);
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

function codeList(className: string, heading: string, codes: unknown): HTMLElement | null {
  if (!Array.isArray(codes) || codes.length === 0) return null;
  const box = el("section", className);
  box.append(el("h4", "b12c-subheading", heading));
  const list = el("ul");
  for (const code of codes) list.append(el("li", undefined, label(String(code))));
  box.append(list);
  return box;
}

/** The treatment plan (b12.regimen) as a card. */
export function planCard(payload: Json): HTMLElement {
  const plan = (payload.plan ?? {}) as Json;
  const citations = asCitations(payload.citations);
  const audience = payload.audience === "clinician" ? "clinician" : "patient";
  const card = el("article", "b12c-card b12c-plan");
  const titleId = uid("b12c-plan");
  card.setAttribute("aria-labelledby", titleId);
  const header = el("header", "b12c-card-head");
  const title = el("h3", "b12c-card-title", audience === "clinician" ? "Treatment plan" : "What the guideline says");
  title.id = titleId;
  header.append(title);
  if (citations.some((c) => c.pending_review)) header.append(pendingBadge());
  card.append(header);

  const { root: citeRoot, ids, details } = citationList(citations, "Citations");
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
  const neuro = String(plan.neurological_involvement ?? "unknown");
  facts.append(row("Neurological involvement", neuro));
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
    codeList("b12c-warnings", audience === "clinician" ? "Warnings" : "Important", plan.warnings),
    codeList("b12c-monitoring", audience === "clinician" ? "Monitoring" : "What to expect", plan.monitoring),
    codeList("b12c-notes", audience === "clinician" ? "Not covered / would change the plan" : "Good to know", plan.notes),
  ]) {
    if (part) card.append(part);
  }
  if (citations.length) card.append(citeRoot);
  if (typeof payload.kb_version === "string") card.append(el("p", "b12c-kb", `Knowledge base ${payload.kb_version}`));
  return card;
}

/** A follow-up answer (b12.answer): its snippets as citations. */
export function answerCard(payload: Json): HTMLElement | null {
  const citations = asCitations(payload.snippets);
  if (!citations.length) return null;
  const card = el("article", "b12c-card b12c-answer");
  const { root } = citationList(citations, "From the guideline");
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
  banner.append(el("p", "b12c-triage-heading", TRIAGE_HEADINGS[urgency]));
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
export function whyCard(payload: Json): HTMLElement {
  const card = el("article", "b12c-card b12c-why");
  card.append(el("h3", "b12c-card-title", "Why this plan"));
  const facts = el("dl", "b12c-facts");
  for (const [key, value] of Object.entries((payload.facts_used ?? {}) as Json)) {
    facts.append(row(label(key), Array.isArray(value) ? value.map((v) => label(String(v))).join(", ") : String(value)));
  }
  card.append(el("h4", "b12c-subheading", "Facts used"), facts);
  const steps = el("ol", "b12c-rules");
  for (const step of Array.isArray(payload.rule_path) ? payload.rule_path : []) steps.append(el("li", undefined, String(step)));
  card.append(el("h4", "b12c-subheading", "Rules applied"), steps);
  return card;
}

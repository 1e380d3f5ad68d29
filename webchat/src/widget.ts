// Guideline bot web chat widget. Talks to the socket.io channel
// channels.webchat.WebchatInput; see webchat/README.md for the options.
import { io, type Socket } from "socket.io-client";
import { answerCard, answerText, el, heading, levelsBelow, uid, type Answer, type Json, type Levels } from "./render";

export type Audience = "clinician" | "patient";

export interface WidgetOptions {
  /** Rasa server URL (default: where widget.js was loaded from). */
  server?: string;
  /** Header title; without it the server's (its product name and topics, /webchat/config.json). */
  title?: string;
  /** Preset audience; without it the widget asks "Which best describes you?". */
  audience?: Audience;
  /** Element or CSS selector to render into; without it a floating chat button is added. */
  container?: HTMLElement | string;
  /** socket.io path on the server (default /socket.io). */
  socketPath?: string;
  /** Open the floating panel at once (no effect with a container). */
  open?: boolean;
  /**
   * Minutes without activity after which the browser forgets the conversation (its id in
   * sessionStorage and the messages on screen) and starts a new one. Default 30; 0 stores
   * nothing at all (a reload then starts a new conversation).
   */
  storageMinutes?: number;
  /** Level of the title heading, 1-4 (default 2); a full page with no other h1 uses 1. */
  headingLevel?: number;
}

interface Button {
  title: string;
  payload: string;
}

type Entry =
  | { k: "user"; text: string }
  | { k: "text"; text: string; buttons?: Button[] }
  | { k: "custom"; payload: Json };

const MAX_CHARS = 4000;
const DEFAULT_STORAGE_MINUTES = 30;
// python-engineio decodes at most 16 packets from one polling POST and drops the whole POST
// (every message in it) beyond that. The widget hands engine.io at most this many packets
// until its buffer drains, which leaves room for ping/pong packets in the same POST.
export const MAX_PACKETS_PER_POST = 8;
const DISCLAIMER =
  "General information from a guideline summary, not a substitute for a clinician's judgement. " +
  "It cannot diagnose you. Content marked 'pending clinical review' has not yet been approved by a clinical reviewer. " +
  "In an emergency call your local emergency number.";
const CLIENT_ID = /^[0-9a-f]{32,64}$/;

function randomId(): string {
  const bytes = new Uint8Array(16); // 128 bits
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the browser keeps between reloads: no message, only what resuming needs. */
interface Saved {
  client: string;
  audience: Audience | null;
  /** Time of the last message sent or received (ms since the epoch). */
  seen: number;
}

/** One sessionStorage entry per server, forgotten after `ttlMs` without activity. */
class SessionStore {
  constructor(
    private readonly key: string,
    readonly ttlMs: number,
  ) {}

  load(now: number): Saved | null {
    if (this.ttlMs <= 0) return null;
    try {
      const raw = JSON.parse(sessionStorage.getItem(this.key) ?? "null") as Partial<Saved> | null;
      const fresh = raw && typeof raw.seen === "number" && now - raw.seen <= this.ttlMs;
      if (!raw || !fresh || typeof raw.client !== "string" || !CLIENT_ID.test(raw.client)) {
        this.clear();
        return null;
      }
      const audience = raw.audience === "clinician" || raw.audience === "patient" ? raw.audience : null;
      return { client: raw.client, audience, seen: raw.seen as number };
    } catch {
      this.clear();
      return null;
    }
  }

  save(value: Saved): void {
    if (this.ttlMs <= 0) return;
    try {
      sessionStorage.setItem(this.key, JSON.stringify(value));
    } catch {
      /* storage full or disabled: the chat still works, without resuming after a reload */
    }
  }

  clear(): void {
    try {
      sessionStorage.removeItem(this.key);
    } catch {
      /* storage disabled: nothing to clear */
    }
  }
}

/** Remove what widget 0.1 left in localStorage (the whole transcript, plans included). */
function purgeLegacyStorage(): void {
  try {
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith("b12chat:")) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    /* storage disabled */
  }
}

function storageMs(minutes: number | undefined): number {
  const value = minutes === undefined || !Number.isFinite(minutes) ? DEFAULT_STORAGE_MINUTES : minutes;
  return Math.max(0, value) * 60_000;
}

function buttonsOf(message: Json): Button[] {
  const raw = (message.quick_replies ?? message.buttons) as unknown;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && typeof b === "object" && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: String(b.title), payload: String(b.payload) }));
}

function toolButton(text: string, hint: string, onClick: () => void): HTMLButtonElement {
  const button = el("button", "b12c-tool", text);
  button.type = "button";
  button.title = hint;
  button.addEventListener("click", onClick);
  return button;
}

export class ChatWidget {
  private readonly server: string;
  private readonly store: SessionStore;
  private readonly levels: Levels;
  private readonly root: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly audienceBox: HTMLElement;
  private readonly audienceNow: HTMLElement;
  private audience: Audience | null;
  private clientId: string;
  /** Whether the current conversation id is in sessionStorage (only after some activity). */
  private saved = false;
  private socket: Socket | null = null;
  private ready = false;
  /** Messages waiting for the connection, or for engine.io's buffer to drain. */
  private outbox: string[] = [];
  /** The last message sent, for "Try again" after a b12.unavailable reply. */
  private lastSent: { message: string; shown: string } | null = null;
  private cards = 0;
  private typingTimer: number | undefined;
  private typingSafety: number | undefined;
  private expiryTimer: number | undefined;

  constructor(private readonly options: WidgetOptions, host: HTMLElement) {
    this.server = (options.server || window.location.origin).replace(/\/+$/, "");
    purgeLegacyStorage();
    this.store = new SessionStore(`b12chat:${this.server}`, storageMs(options.storageMinutes));
    const saved = this.store.load(Date.now());
    this.audience = options.audience ?? saved?.audience ?? null;
    this.clientId = saved?.client ?? randomId();
    this.saved = saved !== null;
    const titleLevel = Math.max(1, Math.min(4, Math.round(options.headingLevel ?? 2)));
    this.levels = levelsBelow(titleLevel);

    const title = options.title || "Chat";
    this.root = el("section", "b12c");
    const titleId = uid("b12c-title");
    this.root.setAttribute("aria-labelledby", titleId);

    const inputId = uid("b12c-input");
    const skip = el("a", "b12c-skip", "Skip to message box");
    skip.href = `#${inputId}`;
    skip.addEventListener("click", (event) => {
      event.preventDefault();
      this.input.focus();
    });

    const head = el("header", "b12c-head");
    const h = heading(titleLevel, "b12c-title", title);
    h.id = titleId;
    if (!options.title) void serverTitle(this.server).then((named) => named && (h.textContent = named));
    const tools = el("div", "b12c-tools");
    tools.append(
      toolButton("Why?", "Show the facts and rules behind the last plan", () => this.send("why?", "Why?")),
      toolButton("New patient", "Forget every fact about the current patient and clear the screen", () => this.newPatient()),
      toolButton("Clear conversation", "Remove this conversation from the screen and the browser, and start a new one", () =>
        this.clearConversation("Conversation cleared. Nothing of it is kept in this browser."),
      ),
    );
    head.append(h, tools);

    this.status = el("p", "b12c-status");
    this.status.setAttribute("role", "status");

    const disclaimer = el("p", "b12c-disclaimer", DISCLAIMER);

    this.audienceBox = el("div", "b12c-audience");
    const qId = uid("b12c-q");
    this.audienceBox.setAttribute("role", "group");
    this.audienceBox.setAttribute("aria-labelledby", qId);
    const q = el("p", "b12c-question", "Which best describes you?");
    q.id = qId;
    const choices = el("div", "b12c-choices");
    for (const [value, text] of [
      ["clinician", "Clinician"],
      ["patient", "Patient or carer"],
    ] as const) {
      const b = el("button", "b12c-choice", text);
      b.type = "button";
      b.dataset.audience = value;
      b.addEventListener("click", () => this.setAudience(value));
      choices.append(b);
    }
    this.audienceBox.append(q, choices);
    this.audienceNow = el("p", "b12c-audience-now");

    // New messages are announced (polite); the log is focusable so it can be scrolled by keys.
    this.log = el("ol", "b12c-log");
    this.log.setAttribute("aria-label", "Conversation");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-relevant", "additions");
    this.log.tabIndex = 0;

    this.typing = el("p", "b12c-typing");
    this.typing.hidden = true;
    this.typing.append(el("span", "b12c-dots"), document.createTextNode("The assistant is typing..."));

    const form = el("form", "b12c-form");
    const lab = el("label", "b12c-label", "Your message");
    lab.htmlFor = inputId;
    this.input = el("input", "b12c-input");
    this.input.id = inputId;
    this.input.type = "text";
    this.input.autocomplete = "off";
    this.input.maxLength = MAX_CHARS;
    this.input.placeholder = "Describe the patient or ask a question";
    this.sendButton = el("button", "b12c-send", "Send");
    this.sendButton.type = "submit";
    form.append(lab, this.input, this.sendButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send(text, text);
    });

    this.root.append(skip, head, disclaimer, this.audienceBox, this.audienceNow, this.status, this.log, this.typing, form);
    host.append(this.root);
    this.showAudience();
    if (saved) {
      this.note("This conversation continues. Earlier messages are not kept in the browser; ask \"why?\" to see the facts in use.");
      this.touch();
    }
    this.connect();
  }

  private showAudience(): void {
    this.audienceBox.hidden = this.audience !== null;
    this.audienceNow.textContent = "";
    if (this.audience) {
      this.audienceNow.append(
        document.createTextNode(`You are chatting as: ${this.audience === "clinician" ? "Clinician" : "Patient or carer"}. `),
      );
      const change = el("button", "b12c-link", "Change");
      change.type = "button";
      change.addEventListener("click", () => {
        this.audience = null;
        this.persist();
        this.showAudience();
        (this.audienceBox.querySelector("button") as HTMLButtonElement | null)?.focus();
      });
      this.audienceNow.append(change);
    }
  }

  private setAudience(value: Audience): void {
    this.audience = value;
    this.persist();
    this.showAudience();
    this.input.focus();
  }

  /** Save what a reload needs, if the conversation has been saved before (activity). */
  private persist(): void {
    if (this.saved) this.store.save({ client: this.clientId, audience: this.audience, seen: Date.now() });
  }

  /** Activity: save the conversation id and restart the inactivity countdown. */
  private touch(): void {
    this.saved = this.store.ttlMs > 0;
    this.persist();
    window.clearTimeout(this.expiryTimer);
    if (this.store.ttlMs > 0) {
      const minutes = this.store.ttlMs / 60_000;
      const shown = minutes >= 1 ? `${Math.round(minutes)} minutes` : `${Math.round(minutes * 60)} seconds`;
      this.expiryTimer = window.setTimeout(
        () => this.clearConversation(`The conversation was cleared after ${shown} without activity.`),
        this.store.ttlMs,
      );
    }
  }

  /** Forget the conversation here (storage, screen, audience) and start a new one. */
  private clearConversation(notice: string): void {
    window.clearTimeout(this.expiryTimer);
    this.store.clear();
    this.saved = false;
    this.log.replaceChildren();
    this.outbox = [];
    this.lastSent = null;
    this.setTyping(false);
    this.clientId = randomId();
    this.audience = this.options.audience ?? null;
    this.showAudience();
    this.note(notice);
    this.setStatus("");
    if (this.socket?.connected) {
      this.ready = false;
      this.socket.emit("session_request", { session_id: this.clientId });
    }
  }

  /** "New patient": the bot forgets the facts; the screen and the browser forget the messages. */
  private newPatient(): void {
    this.store.clear();
    this.log.replaceChildren();
    this.send("new patient", "New patient");
  }

  private connect(): void {
    this.setStatus("Connecting...");
    const socket = io(this.server, {
      path: this.options.socketPath || "/socket.io",
      transports: ["polling"], // the server offers long-polling only (see channels/webchat.py)
      upgrade: false,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.ready = false;
      socket.io.engine.on("drain", () => this.flush());
      socket.emit("session_request", { session_id: this.clientId });
    });
    socket.on("session_confirm", (id: unknown) => {
      if (typeof id === "string" && CLIENT_ID.test(id) && id !== this.clientId) {
        this.clientId = id;
        this.persist();
      }
      this.ready = true;
      this.setStatus("");
      this.root.dataset.connected = "true";
      this.flush();
    });
    socket.on("disconnect", () => {
      this.ready = false;
      this.root.dataset.connected = "false";
      this.setStatus("Connection lost. Reconnecting...");
    });
    socket.on("connect_error", () => {
      this.root.dataset.connected = "false";
      this.setStatus("Cannot reach the server. Retrying...");
    });
    socket.on("bot_uttered", (message: unknown) => this.receive(message));
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  /** Hand waiting messages to engine.io, never more than MAX_PACKETS_PER_POST buffered. */
  private flush(): void {
    const socket = this.socket;
    if (!this.ready || !socket?.connected) return;
    const buffered = socket.io.engine?.writeBuffer?.length ?? 0;
    const room = Math.max(0, MAX_PACKETS_PER_POST - buffered);
    const metadata: Json = this.audience ? { audience: this.audience } : {};
    for (const message of this.outbox.splice(0, room)) {
      socket.emit("user_uttered", { message, session_id: this.clientId, metadata });
    }
  }

  /** Send `message` to the bot, showing `shown` as the user's line. */
  send(message: string, shown: string): void {
    const text = message.slice(0, MAX_CHARS);
    this.lastSent = { message: text, shown };
    this.touch();
    this.add({ k: "user", text: shown.slice(0, MAX_CHARS) });
    this.disableOldButtons(true);
    this.setTyping(true);
    this.outbox.push(text);
    this.flush();
  }

  private receive(raw: unknown): void {
    if (!raw || typeof raw !== "object") return;
    const message = raw as Json;
    this.touch();
    const buttons = buttonsOf(message);
    if (typeof message.text === "string" && message.text) {
      this.add({ k: "text", text: message.text, buttons: buttons.length ? buttons : undefined });
    } else if (buttons.length) {
      this.add({ k: "text", text: "", buttons });
    }
    const custom = message.custom;
    if (custom && typeof custom === "object" && !Array.isArray(custom)) this.add({ k: "custom", payload: custom as Json });
    // Hide the indicator once the bot has been quiet briefly (a turn has several messages).
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.setTyping(false), 800);
  }

  private setTyping(on: boolean): void {
    this.typing.hidden = !on;
    window.clearTimeout(this.typingSafety);
    if (on) this.typingSafety = window.setTimeout(() => this.setTyping(false), 30000);
  }

  private add(entry: Entry): void {
    this.render(entry);
    this.scroll();
  }

  private note(text: string): void {
    this.item("b12c-note").append(el("p", undefined, text));
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private item(className: string): HTMLLIElement {
    const li = el("li", `b12c-item ${className}`);
    this.log.append(li);
    return li;
  }

  private disableOldButtons(all = false): void {
    const groups = Array.from(this.log.querySelectorAll<HTMLElement>(".b12c-replies"));
    const keep = all ? null : groups[groups.length - 1];
    const last = this.log.lastElementChild;
    for (const group of groups) {
      if (group === keep && last && last.contains(group)) continue;
      for (const b of Array.from(group.querySelectorAll("button"))) b.disabled = true;
    }
  }

  /** The run of bot text bubbles that ends just before `end` (default: the end of the log). */
  private lastBotTexts(end: HTMLElement | null = null): HTMLElement[] {
    const out: HTMLElement[] = [];
    let node = (end ? end.previousElementSibling : this.log.lastElementChild) as HTMLElement | null;
    while (node && node.classList.contains("b12c-bot-text")) {
      out.unshift(node);
      node = node.previousElementSibling as HTMLElement | null;
    }
    return out;
  }

  /** Take bot text bubbles out of the log, returning their text (they go into a card). */
  private takeTexts(bubbles: HTMLElement[]): string[] {
    return bubbles.map((bubble) => {
      bubble.remove();
      return bubble.querySelector(".b12c-bubble")?.textContent ?? "";
    });
  }

  private fold(card: HTMLElement, bubbles: HTMLElement[]): void {
    this.foldText(card, this.takeTexts(bubbles));
  }

  /** The answer's text, folded into its card ("Show as text"). */
  private foldText(card: HTMLElement, texts: string[]): void {
    if (!texts.length) return;
    let box = card.querySelector<HTMLDetailsElement>(":scope > .b12c-astext");
    if (!box) {
      box = el("details", "b12c-astext");
      box.append(el("summary", undefined, "Show as text"));
      card.append(box);
    }
    for (const text of texts) box.append(el("p", "b12c-astext-part", text));
  }

  private renderText(entry: Extract<Entry, { k: "text" }>): void {
    const li = this.item("b12c-bot-text");
    if (entry.text) li.append(el("span", "b12c-sr", "Assistant: "), el("p", "b12c-bubble", entry.text));
    if (!entry.buttons?.length) return;
    li.classList.remove("b12c-bot-text");
    li.classList.add("b12c-bot-buttons");
    const group = el("div", "b12c-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Quick replies");
    for (const button of entry.buttons) {
      const b = el("button", "b12c-reply", button.title);
      b.type = "button";
      b.addEventListener("click", () => {
        const audience = /^\/choose_audience\{"audience":"(clinician|patient)"\}$/.exec(button.payload);
        if (audience) this.setAudience(audience[1] as Audience);
        this.send(button.payload, button.title);
      });
      group.append(b);
    }
    li.append(group);
  }

  /**
   * The quick replies sent with this answer's text (Rasa puts them on its last paragraph), if
   * that is the last thing in the log: the answer's question is then shown once, as the card,
   * and its buttons stay below it.
   */
  private askedWith(whole: string): HTMLElement | null {
    const last = this.log.lastElementChild as HTMLElement | null;
    if (!last || !last.classList.contains("b12c-bot-buttons")) return null;
    const said = (last.querySelector(".b12c-bubble")?.textContent ?? "").trim();
    return !said || whole.includes(said) ? last : null;
  }

  /** The bot text bubbles just before `end` (or the end of the log) that are part of `whole`. */
  private textsOf(whole: string, end: HTMLElement | null): HTMLElement[] {
    const bubbles = this.lastBotTexts(end);
    const mine: HTMLElement[] = [];
    for (let i = bubbles.length - 1; i >= 0; i -= 1) {
      const said = (bubbles[i].querySelector(".b12c-bubble")?.textContent ?? "").trim();
      if (!said || !whole.includes(said)) break;
      mine.unshift(bubbles[i]);
    }
    return mine;
  }

  /**
   * An engine answer as a card. The bot's text bubbles just before it are the same answer as
   * text (Rasa sends each paragraph as a message): they leave the log and fold into the card.
   * Quick replies sent with that text move below the card.
   */
  private renderAnswer(payload: Json): boolean {
    this.cards += 1;
    const card = answerCard(payload, { number: this.cards, levels: this.levels });
    if (!card) {
      this.cards -= 1;
      return false;
    }
    const whole = answerText(payload.answer as Answer);
    const asked = this.askedWith(whole);
    const mine = this.textsOf(whole, asked);
    this.item("b12c-bot-card").append(card);
    this.fold(card, mine);
    if (asked) {
      const bubble = asked.querySelector(".b12c-bubble");
      const text = bubble?.textContent ?? "";
      asked.querySelector(".b12c-sr")?.remove();
      bubble?.remove();
      if (text) this.foldText(card, [text]);
      this.log.append(asked);
    }
    return true;
  }

  /** "New patient" as a divider in the bot's words; its text bubble leaves the log. */
  private renderDivider(payload: Json): void {
    const answer = payload.answer as Answer | undefined;
    const whole = answer && Array.isArray(answer.sections) ? answerText(answer) : "";
    const texts = whole ? this.takeTexts(this.textsOf(whole, null)) : [];
    const lines = whole ? whole.split("\n").filter((x) => x.trim()) : texts;
    const divider = this.item("b12c-divider");
    for (const line of lines.length ? lines : ["New patient: earlier facts are forgotten."]) {
      divider.append(el("p", undefined, line));
    }
  }

  private render(entry: Entry): void {
    if (entry.k === "user") {
      const li = this.item("b12c-user");
      li.append(el("span", "b12c-sr", "You said: "), el("p", "b12c-bubble", entry.text));
      return;
    }
    if (entry.k === "text") {
      this.renderText(entry);
      return;
    }
    const payload = entry.payload;
    const type = String(payload.type ?? "");
    if (type === "b12.new_patient") {
      this.renderDivider(payload);
    } else if (payload.answer && this.renderAnswer(payload)) {
      return;
    } else if (type === "b12.unavailable") {
      // The server saved nothing of the failed turn: offer to send the same message again.
      const li = this.item("b12c-bot-buttons");
      const group = el("div", "b12c-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Try again");
      const retry = el("button", "b12c-reply b12c-retry", "Try again");
      retry.type = "button";
      const last = this.lastSent;
      if (!last) retry.disabled = true;
      retry.addEventListener("click", () => {
        if (last) this.send(last.message, last.shown);
      });
      group.append(retry);
      li.append(group);
    }
  }
}

function resolveContainer(container: WidgetOptions["container"]): HTMLElement | null {
  if (!container) return null;
  if (typeof container === "string") return document.querySelector<HTMLElement>(container);
  return container;
}

/** The title the server gives (product name and topics), or null when it cannot be read. */
async function serverTitle(server: string): Promise<string | null> {
  try {
    const reply = await fetch(`${server}/webchat/config.json`, { credentials: "omit" });
    const config: unknown = reply.ok ? await reply.json() : null;
    const title = config && typeof config === "object" ? (config as { title?: unknown }).title : null;
    return typeof title === "string" && title.trim() ? title.trim().slice(0, 200) : null;
  } catch {
    return null;
  }
}

function floatingHost(options: WidgetOptions): HTMLElement {
  const wrap = el("div", "b12c-float");
  const panel = el("div", "b12c-panel");
  panel.id = uid("b12c-panel");
  const open = options.open ?? false;
  panel.hidden = !open;
  const launcher = el("button", "b12c-launcher", open ? "Close chat" : options.title || "Open chat");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", String(open));
  launcher.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    launcher.setAttribute("aria-expanded", String(!panel.hidden));
    launcher.textContent = panel.hidden ? options.title || "Open chat" : "Close chat";
    if (!panel.hidden) panel.querySelector<HTMLInputElement>(".b12c-input")?.focus();
  });
  wrap.append(panel, launcher);
  document.body.append(wrap);
  return panel;
}

function addStylesheet(server: string): void {
  const href = `${server}/webchat/widget.css`;
  const links = Array.from(document.querySelectorAll<HTMLLinkElement>("link[rel=stylesheet]"));
  if (links.some((l) => l.href === href || l.dataset.b12chat)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.dataset.b12chat = "true";
  document.head.append(link);
}

/** Add the chat to the page. Returns the widget. */
export function mount(options: WidgetOptions = {}): ChatWidget {
  const server = (options.server || scriptOrigin || window.location.origin).replace(/\/+$/, "");
  addStylesheet(server);
  const host = resolveContainer(options.container) ?? floatingHost(options);
  return new ChatWidget({ ...options, server }, host);
}

const current = document.currentScript as HTMLScriptElement | null;
const scriptOrigin = current?.src ? new URL(current.src, window.location.href).origin : "";

function autoMount(): void {
  if (!current || current.dataset.manual !== undefined) return;
  const d = current.dataset;
  const audience = d.audience === "clinician" || d.audience === "patient" ? d.audience : undefined;
  const number = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : Number(value));
  mount({
    server: d.server,
    title: d.title,
    audience,
    container: d.container,
    socketPath: d.socketPath,
    open: d.open !== undefined && d.open !== "false",
    storageMinutes: number(d.storageMinutes),
    headingLevel: number(d.headingLevel),
  });
}

declare global {
  interface Window {
    B12Chat: { mount: typeof mount };
  }
}
window.B12Chat = { mount };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
else autoMount();

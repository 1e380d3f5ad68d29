// B12 guideline bot web chat widget. Talks to the socket.io channel
// channels.webchat.WebchatInput; see webchat/README.md for the options.
import { io, type Socket } from "socket.io-client";
import { answerCard, el, planCard, triageBanner, uid, whyCard, type Json } from "./render";

export type Audience = "clinician" | "patient";

export interface WidgetOptions {
  /** Rasa server URL (default: where widget.js was loaded from). */
  server?: string;
  /** Header title. */
  title?: string;
  /** Preset audience; without it the widget asks "Which best describes you?". */
  audience?: Audience;
  /** Element or CSS selector to render into; without it a floating chat button is added. */
  container?: HTMLElement | string;
  /** socket.io path on the server (default /socket.io). */
  socketPath?: string;
  /** Open the floating panel at once (no effect with a container). */
  open?: boolean;
}

interface Button {
  title: string;
  payload: string;
}

type Entry =
  | { k: "user"; text: string }
  | { k: "text"; text: string; buttons?: Button[] }
  | { k: "custom"; payload: Json }
  | { k: "note"; text: string };

const MAX_ENTRIES = 300;
const MAX_CHARS = 4000;
const DISCLAIMER =
  "General information from a guideline summary, not a substitute for a clinician's judgement. " +
  "It cannot diagnose you. Content marked 'pending clinical review' has not yet been approved by a clinical reviewer. " +
  "In an emergency call your local emergency number.";

function randomId(): string {
  const bytes = new Uint8Array(16); // 128 bits
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

class Store {
  constructor(private readonly prefix: string) {}
  get<T>(key: string, fallback: T): T {
    try {
      const raw = localStorage.getItem(this.prefix + key);
      return raw === null ? fallback : (JSON.parse(raw) as T);
    } catch {
      return fallback;
    }
  }
  set(key: string, value: unknown): void {
    try {
      localStorage.setItem(this.prefix + key, JSON.stringify(value));
    } catch {
      /* storage full or disabled: the chat still works, without persistence */
    }
  }
}

function buttonsOf(message: Json): Button[] {
  const raw = (message.quick_replies ?? message.buttons) as unknown;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && typeof b === "object" && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: String(b.title), payload: String(b.payload) }));
}

export class ChatWidget {
  private readonly server: string;
  private readonly store: Store;
  private readonly root: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly audienceBox: HTMLElement;
  private readonly audienceNow: HTMLElement;
  private entries: Entry[];
  private audience: Audience | null;
  private clientId: string;
  private socket: Socket | null = null;
  private ready = false;
  private queue: Array<{ message: string }> = [];
  /** The last message sent, for "Try again" after a b12.unavailable reply. */
  private lastSent: { message: string; shown: string } | null = null;
  private typingTimer: number | undefined;
  private typingSafety: number | undefined;

  constructor(private readonly options: WidgetOptions, host: HTMLElement) {
    this.server = (options.server || window.location.origin).replace(/\/+$/, "");
    this.store = new Store(`b12chat:${this.server}:`);
    this.entries = this.store.get<Entry[]>("transcript", []);
    if (!Array.isArray(this.entries)) this.entries = [];
    this.audience = options.audience ?? this.store.get<Audience | null>("audience", null);
    if (this.audience !== "clinician" && this.audience !== "patient") this.audience = null;
    const stored = this.store.get<string>("client", "");
    this.clientId = /^[0-9a-f]{32,64}$/.test(stored) ? stored : randomId();
    this.store.set("client", this.clientId);

    const title = options.title || "B12 guideline assistant";
    this.root = el("section", "b12c");
    const titleId = uid("b12c-title");
    this.root.setAttribute("aria-labelledby", titleId);

    const head = el("header", "b12c-head");
    const h = el("h2", "b12c-title", title);
    h.id = titleId;
    const tools = el("div", "b12c-tools");
    const why = el("button", "b12c-tool", "Why?");
    why.type = "button";
    why.title = "Show the facts and rules behind the last plan";
    why.addEventListener("click", () => this.send("why?", "Why?"));
    const newPatient = el("button", "b12c-tool", "New patient");
    newPatient.type = "button";
    newPatient.title = "Forget every fact about the current patient";
    newPatient.addEventListener("click", () => this.send("new patient", "New patient"));
    tools.append(why, newPatient);
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

    this.log = el("ol", "b12c-log");
    this.log.setAttribute("aria-label", "Conversation");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-relevant", "additions");
    this.log.tabIndex = 0;

    this.typing = el("p", "b12c-typing");
    this.typing.hidden = true;
    this.typing.append(el("span", "b12c-dots"), document.createTextNode("The assistant is typing..."));

    const form = el("form", "b12c-form");
    const inputId = uid("b12c-input");
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

    this.root.append(head, disclaimer, this.audienceBox, this.audienceNow, this.status, this.log, this.typing, form);
    host.append(this.root);
    this.showAudience();
    for (const entry of this.entries) this.render(entry, true);
    this.disableOldButtons();
    this.scroll();
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
        this.store.set("audience", null);
        this.showAudience();
        (this.audienceBox.querySelector("button") as HTMLButtonElement | null)?.focus();
      });
      this.audienceNow.append(change);
    }
  }

  private setAudience(value: Audience): void {
    this.audience = value;
    this.store.set("audience", value);
    this.showAudience();
    this.input.focus();
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
      socket.emit("session_request", { session_id: this.clientId });
    });
    socket.on("session_confirm", (id: unknown) => {
      if (typeof id === "string" && /^[0-9a-f]{32,64}$/.test(id) && id !== this.clientId) {
        this.clientId = id;
        this.store.set("client", id);
      }
      this.ready = true;
      this.setStatus("");
      this.root.dataset.connected = "true";
      const pending = this.queue.splice(0);
      for (const item of pending) this.emit(item.message);
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

  private emit(message: string): void {
    const metadata: Json = this.audience ? { audience: this.audience } : {};
    this.socket?.emit("user_uttered", { message, session_id: this.clientId, metadata });
  }

  /** Send `message` to the bot, showing `shown` as the user's line. */
  send(message: string, shown: string): void {
    const text = message.slice(0, MAX_CHARS);
    this.lastSent = { message: text, shown };
    this.add({ k: "user", text: shown.slice(0, MAX_CHARS) });
    this.disableOldButtons(true);
    this.setTyping(true);
    if (this.ready) this.emit(text);
    else this.queue.push({ message: text });
  }

  private receive(raw: unknown): void {
    if (!raw || typeof raw !== "object") return;
    const message = raw as Json;
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
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    this.store.set("transcript", this.entries);
    this.render(entry, false);
    this.scroll();
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

  private lastBotTexts(): HTMLElement[] {
    const out: HTMLElement[] = [];
    let node = this.log.lastElementChild as HTMLElement | null;
    while (node && node.classList.contains("b12c-bot-text")) {
      out.unshift(node);
      node = node.previousElementSibling as HTMLElement | null;
    }
    return out;
  }

  /** Move the plain-text version of a card into a "Show as text" box inside the card. */
  private foldInto(card: HTMLElement, bubbles: HTMLElement[]): void {
    if (!bubbles.length) return;
    const box = el("details", "b12c-astext");
    box.append(el("summary", undefined, "Show as text"));
    for (const bubble of bubbles) {
      const p = el("p", "b12c-astext-part", bubble.querySelector(".b12c-bubble")?.textContent ?? "");
      box.append(p);
      bubble.remove();
    }
    card.append(box);
  }

  private render(entry: Entry, restoring: boolean): void {
    if (entry.k === "user") {
      const li = this.item("b12c-user");
      li.append(el("span", "b12c-sr", "You said: "), el("p", "b12c-bubble", entry.text));
      return;
    }
    if (entry.k === "note") {
      this.item("b12c-note").append(el("p", undefined, entry.text));
      return;
    }
    if (entry.k === "text") {
      const li = this.item("b12c-bot-text");
      if (entry.text) li.append(el("span", "b12c-sr", "Assistant: "), el("p", "b12c-bubble", entry.text));
      if (entry.buttons?.length) {
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
      return;
    }
    const payload = entry.payload;
    const type = String(payload.type ?? "");
    if (type === "b12.regimen") {
      const texts = this.lastBotTexts();
      const footer = texts.length >= 2 && /^Source:/.test(texts[texts.length - 1].textContent?.replace(/^Assistant: /, "") ?? "");
      const card = planCard(payload);
      this.item("b12c-bot-card").append(card);
      if (footer) this.foldInto(card, texts.slice(-2));
    } else if (type === "b12.why") {
      const texts = this.lastBotTexts();
      const card = whyCard(payload);
      this.item("b12c-bot-card").append(card);
      const last = texts[texts.length - 1];
      if (last && /^Assistant: Facts used:/.test(last.textContent ?? "")) this.foldInto(card, [last]);
    } else if (type === "b12.triage") {
      // The banner says what the triage text says; drop the duplicate bubble.
      const last = this.lastBotTexts().pop();
      if (last && /^Assistant: (EMERGENCY|URGENT|Mention this)/.test(last.textContent ?? "")) last.remove();
      this.item("b12c-bot-card").append(triageBanner(payload));
    } else if (type === "b12.answer") {
      const texts = this.lastBotTexts();
      const card = answerCard(payload);
      if (card) {
        this.item("b12c-bot-card").append(card);
        const last = texts[texts.length - 1];
        // Keep the answer's prose; its numbered source lines are in the card already.
        if (texts.length >= 2 && /^Assistant: \[1\]/.test(last.textContent ?? "")) this.foldInto(card, [last]);
      }
    } else if (type === "b12.unavailable") {
      // The server saved nothing of the failed turn: offer to send the same message again.
      const li = this.item("b12c-bot-buttons");
      const group = el("div", "b12c-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Try again");
      const retry = el("button", "b12c-reply b12c-retry", "Try again");
      retry.type = "button";
      const last = this.lastSent;
      if (restoring || !last) retry.disabled = true;
      retry.addEventListener("click", () => {
        if (last) this.send(last.message, last.shown);
      });
      group.append(retry);
      li.append(group);
    } else if (type === "b12.new_patient") {
      this.item("b12c-divider").append(el("p", undefined, "New patient: earlier facts are forgotten."));
    }
    void restoring;
  }
}

function resolveContainer(container: WidgetOptions["container"]): HTMLElement | null {
  if (!container) return null;
  if (typeof container === "string") return document.querySelector<HTMLElement>(container);
  return container;
}

function floatingHost(options: WidgetOptions): HTMLElement {
  const wrap = el("div", "b12c-float");
  const panel = el("div", "b12c-panel");
  panel.id = uid("b12c-panel");
  const open = options.open ?? false;
  panel.hidden = !open;
  const launcher = el("button", "b12c-launcher", open ? "Close chat" : options.title || "Chat about B12");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", String(open));
  launcher.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    launcher.setAttribute("aria-expanded", String(!panel.hidden));
    launcher.textContent = panel.hidden ? options.title || "Chat about B12" : "Close chat";
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
  mount({
    server: d.server,
    title: d.title,
    audience,
    container: d.container,
    socketPath: d.socketPath,
    open: d.open !== undefined && d.open !== "false",
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

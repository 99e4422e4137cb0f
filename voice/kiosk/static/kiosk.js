// The kiosk page: renders the screen the server pushes (server-sent events) and posts button taps.
// Text is only ever set with textContent: nothing from the server is run as HTML.
// The page's own words come from /api/labels (languages/<lang>/kiosk.toml), in the patient's language.
"use strict";

const $ = (id) => document.getElementById(id);
let LABELS = {};       // language code -> that language's page words
let clinicLang = "en"; // the clinic's language: staff controls, and the start screen
let lang = "";         // the language the page is shown in now (the screen's)
let screen = null;     // the last screen rendered
let typedNumber = "";
let countdownTimer = null;
// How the screen is used: "tap" (a touch) or "press" (keys, a mouse). Sent with every input, so the
// kiosk's words say "Tap Start" or "Press Start"; a new patient starts with the screen's own pointer.
const ownPointer = matchMedia("(any-pointer: coarse)").matches && !matchMedia("(any-pointer: fine)").matches
  ? "tap" : "press";
let via = ownPointer;

function lookup(words, key) {
  return key.split(".").reduce((o, k) => (o ? o[k] : undefined), words || {});
}

// A label that counts ("{n} seconds left") has plural forms: the one the language's rules pick for its number.
function pluralForm(forms, vars, code) {
  const n = Object.values(vars || {}).find((v) => typeof v === "number");
  const rule = n === undefined ? "other" : new Intl.PluralRules(code).select(n);
  return typeof forms[rule] === "string" ? forms[rule] : forms.other;
}

const isForms = (v) => !!v && typeof v === "object" && typeof v.other === "string";

// A label in the patient's language (``staff``: in the clinic's), with {placeholders} filled in.
function label(key, vars, staff) {
  let code = staff ? clinicLang : lang;
  let text = lookup(LABELS[code], key);
  if (typeof text !== "string" && !isForms(text)) { code = clinicLang; text = lookup(LABELS[code], key); }
  if (isForms(text)) text = pluralForm(text, vars, code);
  if (typeof text !== "string") return key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replace(`{${k}}`, String(v));
  return text;
}

function applyLabels(code) {
  lang = LABELS[code] ? code : clinicLang;
  document.documentElement.lang = lang;  // screen readers and fonts follow the patient's language
  document.title = label("title");
  for (const el of document.querySelectorAll("[data-label]")) el.textContent = label(el.dataset.label, null, !!el.closest("[data-staff]"));
  for (const el of document.querySelectorAll("[data-label-aria]")) el.setAttribute("aria-label", label(el.dataset.labelAria));
  $("staff-area").lang = clinicLang;
  $("duration").dataset.key = "";  // rebuilt in the new language
  buildKeypad();
}

// The start screen's language buttons, each named in its own language (and marked so, for screen readers).
function languageButtons(list) {
  const box = $("languages");
  const key = (list || []).map((l) => l.code).join(",");
  box.hidden = !key;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...(list || []).map((l) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn lang";
    b.lang = l.code;
    b.dataset.intent = "start";
    b.dataset.lang = l.code;
    b.textContent = l.name;
    return b;
  }));
}

async function post(path, body) {
  try {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify(Object.assign({ via: via }, body || {})) });
    return r.ok ? await r.json() : null;
  } catch (e) {
    return null;
  }
}

function tap(intent, value, text, code) {
  if (intent === "start") return post("/api/start", code ? { lang: code } : {});
  if (intent === "more_time") return post("/api/more-time");
  if (intent === "finish") return post("/api/finish");
  return post("/api/tap", { intent: intent, value: value === undefined ? null : value, label: text || "" });
}

function button(text, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn " + cls;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

// Duration buttons built around the question's threshold, so each lands on the right side of it.
function durationButtons(node) {
  const box = $("duration");
  const t = Number(node.threshold) || 4;
  const key = `${t} ${lang}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren();
  const choices = [[label("duration.less_than_1"), 0.5]];
  if (t > 1) choices.push([t > 2 ? label("duration.range", { a: 1, b: t - 1 }) : label("duration.one"),
                           Math.max(1, Math.floor((1 + t) / 2))]);
  if (t < 12) {
    choices.push([label("duration.range", { a: t, b: 12 }), t]);
    choices.push([label("duration.more_than_12"), 13]);
  } else choices.push([label("duration.or_more", { a: t }), t]);
  for (const [text, value] of choices) box.appendChild(button(text, "", () => tap("duration", value, text)));
}

function keypadPress(k) {
  if (k === "delete") typedNumber = typedNumber.slice(0, -1);
  else if (k === "ok") {
    if (typedNumber) tap("number", Number(typedNumber), typedNumber);
    typedNumber = "";
  } else if (typedNumber.length < 3) typedNumber += k;
  $("number-shown").textContent = typedNumber;
}

function buildKeypad() {
  const pad = $("keypad");
  pad.replaceChildren();
  for (const k of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "ok"]) {
    const text = /\d/.test(k) ? k : label(k);
    const b = button(text, k === "ok" ? "yes" : (k === "delete" ? "key-small" : ""), () => keypadPress(k));
    b.dataset.key = k;
    pad.appendChild(b);
  }
}

function fill(list, items) {
  list.replaceChildren(...(items || []).map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
}

function paragraphs(box, texts) {
  box.replaceChildren(...texts.map((t) => { const p = document.createElement("p"); p.textContent = t; return p; }));
}

// ---------------------------------------------------------------- modal dialogs

// While a dialog is open, everything behind it is inert and hidden from screen readers,
// and Tab stays inside the dialog.
function openDialog() {
  return [$("emergency"), $("warning")].find((d) => !d.hidden) || null;
}

function syncModal() {
  const dialog = openDialog();
  $("app").inert = !!dialog;
  if (dialog) $("app").setAttribute("aria-hidden", "true");
  else $("app").removeAttribute("aria-hidden");
  for (const d of [$("emergency"), $("warning")]) {
    d.inert = !!dialog && d !== dialog;  // the emergency covers the warning, never the other way round
  }
}

function focusables(root) {
  return [...root.querySelectorAll("button, input, [tabindex='0']")]
    .filter((el) => !el.disabled && el.offsetParent !== null);
}

document.addEventListener("keydown", (ev) => {
  const dialog = openDialog();
  if (!dialog || ev.key !== "Tab") return;
  const items = focusables(dialog);
  if (!items.length) { ev.preventDefault(); return; }
  const first = items[0], last = items[items.length - 1];
  const inside = dialog.contains(document.activeElement);
  if (ev.shiftKey && (document.activeElement === first || !inside)) { ev.preventDefault(); last.focus(); }
  else if (!ev.shiftKey && (document.activeElement === last || !inside)) { ev.preventDefault(); first.focus(); }
}, true);

// ---------------------------------------------------------------- render

// Everything a patient typed or chose and did not send goes when the session does: the next
// patient must never see it (Finish, Stop, the inactivity reset, staff clearing an emergency).
function forgetTyping() {
  $("typed").value = "";
  typedNumber = "";
  $("number-shown").textContent = "";
}

function renderResult(s) {
  const result = s.result;
  const card = result && !result.emergency ? result : null;
  const newCard = !!card && $("result").hidden;
  $("result").hidden = !card;
  $("result").dataset.disposition = card ? card.disposition : "";
  $("result-label").textContent = card ? label("result_labels." + card.disposition) : "";
  $("result-step").textContent = card ? (card.first_step || card.instruction) : "";
  fill($("result-reasons"), card ? card.reasons : []);
  fill($("result-more"), card ? card.more : []);
  $("result-more-title").hidden = !(card && card.more && card.more.length);
  $("result-disclaimer").textContent = card ? card.disclaimer : "";

  const emergency = result && result.emergency ? result : null;
  const newEmergency = !!emergency && $("emergency").hidden;
  $("emergency").hidden = !emergency;
  $("emergency-step").textContent = emergency ? (emergency.first_step || emergency.instruction) : "";
  fill($("emergency-more"), emergency ? emergency.more : []);
  fill($("emergency-reasons"), emergency ? emergency.reasons : []);
  $("emergency-disclaimer").textContent = emergency ? emergency.disclaimer : "";
  // Only claim staff know when an alert really went out; otherwise ask the patient to tell them.
  $("emergency-staff").textContent = !emergency ? "" : label(emergency.staff_alerted ? "staff_alerted" : "tell_staff");
  const byCode = s.staff_clear === "code";
  $("staff-hold").hidden = byCode;
  $("staff-form").hidden = !byCode;
  $("staff-hold-text").textContent = label("staff_hold", { s: holdSeconds(s) }, true);
  $("staff-progress").style.transitionDuration = `${s.staff_hold_s || 3}s`;
  $("for-staff").textContent = emergency ? label("for_staff") : "";  // in the patient's language
  $("for-staff").lang = lang;
  if (!emergency) { $("staff-code").value = ""; $("staff-code-wrong").textContent = ""; }
  return { newCard, newEmergency };
}

function render(s) {
  const before = screen;
  screen = s;
  if (s.lang !== lang) applyLabels(s.lang);
  languageButtons(s.languages);
  document.body.dataset.mode = s.mode;
  document.body.dataset.voice = String(s.voice !== false);
  $("status").hidden = !s.status;
  $("status").textContent = s.status;
  $("staff-line").hidden = !s.staff_status;
  $("staff-line").textContent = s.staff_status || "";
  $("welcome").textContent = s.welcome;
  $("heard").textContent = s.heard;
  paragraphs($("lines"), s.lines);
  $("question").textContent = s.question;
  $("question").classList.toggle("long", s.question.length > 160);
  $("progress").hidden = !s.progress;
  $("progress").textContent = s.progress ? label("progress", { n: s.progress.number, total: s.progress.total }) : "";
  $("caption").textContent = s.caption;

  const { newCard, newEmergency } = renderResult(s);

  const asking = !!s.question;
  if (s.mode === "idle" || !asking) forgetTyping();
  $("typeform").hidden = !asking;  // no typing box without a question to answer
  $("yesno").hidden = !(asking && s.expects === "yesno");
  // A read-back ("So you have NOT had a fever. Is that right?") carries the answer in node.confirm:
  // its buttons say right or wrong, not yes/no to the question.
  const readBack = !!(asking && s.node && s.node.confirm);
  $("yesno").querySelector("[data-intent=yes]").textContent = label(readBack ? "confirm_yes" : "yes");
  $("yesno").querySelector("[data-intent=no]").textContent = label(readBack ? "confirm_no" : "no");
  $("duration").hidden = !(asking && s.expects === "duration");
  $("number").hidden = !(asking && s.expects === "number");
  if (asking && s.expects === "duration") durationButtons(s.node || {});
  if (!(asking && s.expects === "number") || (before && before.question !== s.question)) {
    typedNumber = "";
    $("number-shown").textContent = "";
  }
  $("finish").hidden = s.mode !== "outcome";
  for (const b of $("controls").querySelectorAll("[data-intent=repeat],[data-intent=back],[data-intent=help],[data-intent=stop]")) {
    b.hidden = !asking;
  }

  const warningShown = !$("warning").hidden;
  $("warning").hidden = s.mode !== "still_there" || !!(s.result && s.result.emergency);
  $("warning-text").textContent = s.warning;
  clearInterval(countdownTimer);
  $("countdown").textContent = "";  // not left behind, in the last patient's language, once the warning goes
  if (s.mode === "still_there" && s.seconds_left != null) {
    let left = s.seconds_left;
    const show = () => { $("countdown").textContent = label("seconds_left", { n: Math.max(0, left) }); left -= 1; };
    show();
    countdownTimer = setInterval(show, 1000);
  }
  syncModal();

  // Focus follows the screen: keyboard, switch and screen-reader users land on what is new.
  const changed = !before || before.mode !== s.mode || before.question !== s.question;
  if (newEmergency) $("emergency-title").focus();
  else if (!$("warning").hidden && !warningShown) $("warning").querySelector("button").focus();
  else if (openDialog()) { /* focus stays in the dialog */ }
  else if (newCard) {
    // A result is read from the top (what was understood, then how urgent), never mid-scroll.
    $("result-label").focus({ preventScroll: true });
    $("main").scrollTop = 0;
  }
  else if (changed && s.mode === "idle") { if (before) $("idle-title").focus(); }
  else if (changed && asking) {
    $("question").focus({ preventScroll: true });
    showQuestion();
  } else if (changed && s.mode === "outcome" && !s.result) $("lines").focus();
  showMoreBelow();
  document.body.dataset.seq = String(s.seq);  // lets tests wait for a given screen (set last: render done)
}

// "More below": shown while the screen has more than fits below what is in view.
function showMoreBelow() {
  const main = $("main");
  const more = $("more-below");
  const hasMore = () => main.scrollHeight - main.scrollTop - main.clientHeight > 2;
  more.hidden = !(hasMore() && !openDialog() && document.body.dataset.mode !== "idle");
  // Its own row, once shown, leaves less room: measured once more (one step, never a loop).
  if (!more.hidden && !hasMore()) more.hidden = true;
}

// A new question is read from the top (what was understood, then the question); the view then
// moves down to show as much of its answer buttons as fits without losing the progress line or
// the question's first line.
function showQuestion() {
  const main = $("main");
  main.scrollTop = 0;
  const area = [$("yesno"), $("duration"), $("number")].find((el) => !el.hidden);
  if (!area) return;
  const view = main.getBoundingClientRect();
  const below = area.getBoundingClientRect().bottom - view.bottom;
  const first = $("progress").hidden ? $("question") : $("progress");  // "Question 3 of about 14" stays in view
  const room = first.getBoundingClientRect().top - view.top;
  if (below > 0) main.scrollTop = Math.min(below, Math.max(0, room));
}

function holdSeconds(s) {
  return Math.round(((s && s.staff_hold_s) || 3) * 10) / 10;  // 1, 1.5, 3: the plural follows
}

function connect() {
  const es = new EventSource("/api/events");
  es.onopen = () => { $("offline").hidden = true; post("/api/input", { via: ownPointer, default: true }); };
  es.onmessage = (ev) => { render(JSON.parse(ev.data)); };
  es.onerror = () => { $("offline").hidden = false; };  // EventSource reconnects by itself
}

// ---------------------------------------------------------------- input

document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-intent]");
  if (b) tap(b.dataset.intent, null, b.textContent.trim(), b.dataset.lang);
});

// A touch or a pen is a "tap", keys and a mouse a "press": the kiosk's words follow how this patient answers.
function usedPointer(kind) {
  if (kind === via) return;
  via = kind;
  post("/api/input", {});
}
document.addEventListener("pointerdown", (ev) => usedPointer(ev.pointerType === "mouse" ? "press" : "tap"), true);
document.addEventListener("keydown", (ev) => { if (!["Shift", "Control", "Alt", "Meta"].includes(ev.key)) usedPointer("press"); }, true);

$("main").addEventListener("scroll", showMoreBelow, { passive: true });
window.addEventListener("resize", showMoreBelow);
$("more-below").addEventListener("click", () => {
  const main = $("main");
  main.scrollBy({ top: Math.max(40, main.clientHeight * 0.8), behavior: "smooth" });
});

$("typeform").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("typed").value.trim();
  if (text) post("/api/text", { text: text });
  $("typed").value = "";
});

// Keys: on the start screen Enter or Space starts (never Tab or a modifier); digits, Backspace and
// Enter type into the keypad; y / n / u / r / b / m answer, repeat, go back or ask for more time.
const KEYS = { y: "yes", n: "no", u: "unsure", r: "repeat", b: "back", m: "more_time" };
document.addEventListener("keydown", (ev) => {
  if (!screen || openDialog() || ev.ctrlKey || ev.altKey || ev.metaKey) return;
  if (ev.target.closest("input, textarea")) return;
  const onButton = !!ev.target.closest("button");
  if (screen.mode === "idle") {
    if (!onButton && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); tap("start"); }
    return;
  }
  if (!$("number").hidden) {
    if (/^[0-9]$/.test(ev.key)) { ev.preventDefault(); keypadPress(ev.key); return; }
    if (ev.key === "Backspace") { ev.preventDefault(); keypadPress("delete"); return; }
    // Enter with digits typed is OK wherever focus is in the keypad (not the focused key pressed again:
    // "35" + Enter on the 1 key must send 35, not show 351).
    const inKeypad = !onButton || $("keypad").contains(ev.target);
    if (ev.key === "Enter" && typedNumber && inKeypad) { ev.preventDefault(); keypadPress("ok"); return; }
  }
  if (onButton) return;
  const intent = KEYS[ev.key.toLowerCase()];
  if (intent && (screen.question || intent === "more_time")) { ev.preventDefault(); tap(intent, null, ev.key); }
});

// Staff clear an emergency by holding the button down with a pointer (the server times the hold), or
// with the staff code from the config: a stray tap, Start, Finish, a spoken word or a key never clears
// it. Keys do nothing here: a patient leaning on the keyboard repeats Enter for as long as they lean.
function staffHold(el) {
  let down = false;
  const progress = $("staff-progress");
  const press = (ev) => {
    if (down || !ev.isPrimary || ev.button !== 0) return;
    down = true;
    ev.preventDefault();
    progress.classList.add("running");
    el.classList.add("holding");
    post("/api/staff", { action: "press" });
  };
  const release = () => {
    if (!down) return;
    down = false;
    progress.classList.remove("running");
    el.classList.remove("holding");
    post("/api/staff", { action: "release" });
  };
  el.addEventListener("pointerdown", press);
  el.addEventListener("pointerup", release);
  el.addEventListener("pointercancel", release);
  el.addEventListener("pointerleave", release);
  el.addEventListener("contextmenu", (ev) => ev.preventDefault());  // a long touch is not a right-click
  el.addEventListener("blur", release);
}

$("staff-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const code = $("staff-code").value;
  $("staff-code").value = "";
  const r = await post("/api/staff", { code: code });
  $("staff-code-wrong").textContent = r && r.ok ? "" : staffCodeRefusal(r && r.staff);
});

// Why a staff code did not clear: wrong, or not even compared (too soon after wrong ones, or locked).
function staffCodeRefusal(staff) {
  if (!staff || staff.checked && !staff.locked) return label("staff_code_wrong", null, true);
  const s = Math.max(1, Math.ceil(staff.retry_in_s || 0));
  return label(staff.locked ? "staff_code_locked" : "staff_code_wait", { s: s }, true);
}

async function main() {
  try {
    const got = await (await fetch("/api/labels")).json();
    LABELS = got.labels || {};
    clinicLang = got.default || "en";
  } catch (e) {
    LABELS = {};
  }
  applyLabels(clinicLang);
  staffHold($("staff-hold"));
  connect();
}

main();

// The kiosk page: renders the screen the server pushes (server-sent events) and posts button taps.
// Text is only ever set with textContent: nothing from the server is run as HTML.
"use strict";
// Shown above the instruction so the urgency is the first thing read (the voice says the same instruction).
const RESULT_LABELS = {
  self_care: "Self-care at home",
  soon: "Book an appointment",
  urgent: "Urgent: see a clinician today",
};

const $ = (id) => document.getElementById(id);
let screen = null;
let typedNumber = "";
let countdownTimer = null;

async function post(path, body) {
  try {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify(body || {}) });
    return r.ok;
  } catch (e) {
    return false;
  }
}

function tap(intent, value, label) {
  if (intent === "start") return post("/api/start");
  if (intent === "more_time") return post("/api/more-time");
  if (intent === "finish") return post("/api/finish");
  return post("/api/tap", { intent: intent, value: value === undefined ? null : value, label: label || "" });
}

function button(label, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn " + cls;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

// Duration buttons built around the question's threshold, so each lands on the right side of it.
function durationButtons(node) {
  const box = $("duration");
  const t = Number(node.threshold) || 4;
  const unit = node.unit || "weeks";
  const key = t + unit;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren();
  const choices = [["Less than 1 week", 0.5]];
  if (t > 1) choices.push([t > 2 ? `1 to ${t - 1} weeks` : "1 week", Math.max(1, Math.floor((1 + t) / 2))]);
  if (t < 12) { choices.push([`${t} to 12 weeks`, t]); choices.push(["More than 12 weeks", 13]); }
  else choices.push([`${t} weeks or more`, t]);
  for (const [label, value] of choices) {
    box.appendChild(button(label, "", () => tap("duration", value, label)));
  }
}

function buildKeypad() {
  const pad = $("keypad");
  for (const k of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Delete", "0", "OK"]) {
    pad.appendChild(button(k, k === "OK" ? "yes" : (k === "Delete" ? "key-small" : ""), () => {
      if (k === "Delete") typedNumber = typedNumber.slice(0, -1);
      else if (k === "OK") {
        if (typedNumber) tap("number", Number(typedNumber), typedNumber);
        typedNumber = "";
      } else if (typedNumber.length < 3) typedNumber += k;
      $("number-shown").textContent = typedNumber;
    }));
  }
}

function paragraphs(box, texts) {
  box.replaceChildren(...texts.map((t) => { const p = document.createElement("p"); p.textContent = t; return p; }));
}

function render(s) {
  screen = s;
  document.body.dataset.mode = s.mode;
  document.body.dataset.seq = String(s.seq);  // lets tests wait for a given screen
  $("status").hidden = !s.status;
  $("status").textContent = s.status;
  $("welcome").textContent = s.welcome;
  $("heard").textContent = s.heard;
  paragraphs($("lines"), s.lines);
  const newQuestion = s.question && $("question").textContent !== s.question;
  $("question").textContent = s.question;
  $("question").classList.toggle("long", s.question.length > 160);
  $("caption").textContent = s.caption;

  const result = s.result;
  const emergency = !!(result && result.emergency);
  const newResult = !!result && $("result").hidden && !emergency;
  $("result").hidden = !result || emergency;
  $("result-label").textContent = result && !emergency ? (RESULT_LABELS[result.disposition] || "") : "";
  $("result-instruction").textContent = result && !emergency ? result.instruction : "";
  $("result-detail").textContent = result && !emergency ? result.detail : "";
  $("result").dataset.disposition = result ? result.disposition : "";
  $("emergency").hidden = !emergency;
  $("emergency-instruction").textContent = emergency ? result.instruction : "";
  $("emergency-detail").textContent = emergency ? result.detail : "";
  // Only claim staff know when an alert really went out; otherwise ask the patient to tell them.
  $("emergency-staff").textContent = !emergency ? "" :
    (result.staff_alerted ? "Staff have been alerted." : "Please show this screen to a member of staff now.");

  const asking = !!s.question;
  $("yesno").hidden = !(asking && s.expects === "yesno");
  // A read-back ("So you have NOT had a fever. Is that right?") carries the answer in node.confirm:
  // its buttons say right or wrong, not yes/no to the question.
  const readBack = !!(asking && s.node && s.node.confirm);
  $("yesno").querySelector("[data-intent=yes]").textContent = readBack ? "Yes, that's right" : "Yes";
  $("yesno").querySelector("[data-intent=no]").textContent = readBack ? "No, ask again" : "No";
  $("duration").hidden = !(asking && s.expects === "duration");
  $("number").hidden = !(asking && s.expects === "number");
  if (asking && s.expects === "duration") durationButtons(s.node || {});
  if (!(asking && s.expects === "number")) { typedNumber = ""; $("number-shown").textContent = ""; }
  $("finish").hidden = s.mode !== "outcome";
  for (const b of $("controls").querySelectorAll("[data-intent=repeat],[data-intent=back]")) b.hidden = !asking;

  // A new result is read from its top (how urgent first); a new question brings its
  // answer buttons into view (a long result can push them down).
  if (newResult) {
    $("result").scrollIntoView({ block: "start" });
  } else if (newQuestion) {
    const area = [$("yesno"), $("duration"), $("number")].find((el) => !el.hidden);
    if (area) area.scrollIntoView({ block: "nearest" });
  }
  const warningShown = !$("warning").hidden;
  $("warning").hidden = s.mode !== "still_there";
  // Keyboard and switch users land on the button that answers the warning (or the banner).
  if (s.mode === "still_there" && !warningShown) $("warning").querySelector("button").focus();
  $("warning-text").textContent = s.warning;
  clearInterval(countdownTimer);
  if (s.mode === "still_there" && s.seconds_left != null) {
    let left = s.seconds_left;
    const show = () => { $("countdown").textContent = `${Math.max(0, left)} seconds left`; left -= 1; };
    show();
    countdownTimer = setInterval(show, 1000);
  }
}

function connect() {
  const es = new EventSource("/api/events");
  es.onopen = () => { $("offline").hidden = true; };
  es.onmessage = (ev) => { render(JSON.parse(ev.data)); };
  es.onerror = () => { $("offline").hidden = false; };  // EventSource reconnects by itself
}

document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-intent]");
  if (b) tap(b.dataset.intent, null, b.textContent.trim());
});

$("typeform").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("typed").value.trim();
  if (text) post("/api/text", { text: text });
  $("typed").value = "";
});

// A physical key starts a session from the idle screen; letter keys answer (when not typing).
const KEYS = { y: "yes", n: "no", u: "unsure", r: "repeat", b: "back", m: "more_time" };
document.addEventListener("keydown", (ev) => {
  if (!screen || ev.target.closest("input, button, textarea") || ev.ctrlKey || ev.altKey || ev.metaKey) return;
  if (screen.mode === "idle") { ev.preventDefault(); tap("start"); return; }
  const intent = KEYS[ev.key.toLowerCase()];
  if (intent) { ev.preventDefault(); tap(intent, null, ev.key); }
});

// Staff clear an emergency by holding the button down (the server times the hold):
// a stray tap, Start, Finish or a spoken word never clears it.
function staffHold(el) {
  let down = false;
  const press = (ev) => { if (down) return; down = true; ev.preventDefault(); post("/api/staff", { action: "press" }); };
  const release = () => { if (!down) return; down = false; post("/api/staff", { action: "release" }); };
  el.addEventListener("pointerdown", press);
  el.addEventListener("pointerup", release);
  el.addEventListener("pointercancel", release);
  el.addEventListener("pointerleave", release);
  el.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") press(ev); });
  el.addEventListener("keyup", (ev) => { if (ev.key === "Enter" || ev.key === " ") release(); });
}

staffHold($("staff-hold"));
buildKeypad();
connect();

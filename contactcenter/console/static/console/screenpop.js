// The screen-pop: one card for the call the agent is about to take or has taken: why VoiceWatch
// flagged it (reason, score, explanation), who the customer is, what was said, and the
// customer's sentiment per utterance drawn as a curve.
//
// It fills from the pre-alert banner while the call is still with the bot (pushed: each new
// utterance with its sentiment, each change of VoiceWatch's score), then from the ringing
// INVITE and Django's screen-pop of the call; once the agent answers it is frozen: pushes about
// that call no longer change it.
(function (CC) {
  "use strict";
  const { $, el } = CC.util;

  const TITLES = { idle: "Screen-pop", prealert: "Likely escalation", ringing: "Incoming call",
                   talking: "On call", ended: "Call ended" };  // prettier-ignore
  let card = null; // { call_id, mode, frozen, lines: [utterance], ... }

  function leadRows(lead) {
    const list = $("pop-lead");
    list.replaceChildren();
    if (!lead) return;
    const row = (k, v) => { if (v !== undefined && v !== null && v !== "") list.append(el("dt", {}, k), el("dd", {}, String(v))); };
    row("Customer", lead.name); row("Phone", lead.phone); row("Campaign", lead.campaign);
    row("Reference", lead.external_id);
    Object.entries(lead.fields || {}).forEach(([k, v]) => row(k.replace(/_/g, " "), v));
  }

  function sentimentText(s) { return s === null || s === undefined ? "" : (s > 0 ? "+" : "") + Number(s).toFixed(2); }

  function line(u) {
    const li = el("li", { class: u.speaker, "data-utterance": u.id || null },
      el("span", { class: "who-said" }, u.speaker), u.text);
    if (u.speaker === "customer" && u.sentiment !== null && u.sentiment !== undefined) {
      li.append(el("span", { class: "sentiment" }, sentimentText(u.sentiment)));
    }
    return li;
  }

  // One point per customer utterance, left to right; -1 at the bottom, +1 at the top. An
  // utterance VoiceWatch could not score sits on the neutral line, drawn hollow.
  function drawCurve(lines) {
    const said = lines.filter((u) => u.speaker === "customer");
    const W = 400, H = 90, PAD = 8;
    const x = (i) => (said.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (said.length - 1));
    const y = (s) => H / 2 - (Math.max(-1, Math.min(1, s || 0)) * (H / 2 - PAD));
    const points = said.map((u, i) => x(i).toFixed(1) + "," + y(u.sentiment).toFixed(1));
    $("pop-curve-line").setAttribute("points", points.join(" "));
    const dots = $("pop-curve-dots");
    dots.replaceChildren(...said.map((u, i) => {
      const scored = u.sentiment !== null && u.sentiment !== undefined;
      const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("cx", x(i).toFixed(1)); dot.setAttribute("cy", y(u.sentiment).toFixed(1));
      dot.setAttribute("r", "3.5");
      dot.setAttribute("class", !scored ? "unscored" : u.sentiment < -0.3 ? "neg" : "");
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = (scored ? sentimentText(u.sentiment) : "not scored") + ": " + u.text;
      dot.append(title);
      return dot;
    }));
  }

  function render() {
    const c = card || { mode: "idle", lines: [] };
    $("pop").dataset.mode = c.mode;
    $("prealert").hidden = c.mode !== "prealert";
    $("pop-title").textContent = TITLES[c.mode] || TITLES.idle;
    $("pop-reason-label").textContent = c.reason_label || "";
    $("pop-reason").textContent = c.reason || "";
    $("pop-score").textContent = c.score !== null && c.score !== undefined && c.score !== ""
      ? (c.mode === "prealert" ? "risk " : "score ") + Number(c.score).toFixed(2) : "";
    $("pop-explanation").textContent = c.explanation || "";
    $("pop-summary").textContent = c.summary || "";
    $("pop-queue").textContent = c.queue || "";
    $("pop-call-id").textContent = c.call_id || "";
    leadRows(c.lead);
    $("pop-transcript").replaceChildren(...c.lines.map(line));
    drawCurve(c.lines);
    const last = $("pop-transcript").lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
  }

  // Lines from the ledger and pushed ones may overlap: each utterance shows once, in order.
  function merge(lines, more) {
    const seen = new Set(lines.filter((u) => u.id).map((u) => u.id));
    return lines.concat((more || []).filter((u) => !u.id || !seen.has(u.id)));
  }

  const fields = ["call_id", "queue", "reason", "reason_label", "score", "explanation", "summary", "lead"];
  function take(from) {
    fields.forEach((k) => { if (from[k] !== undefined && from[k] !== null && from[k] !== "") card[k] = from[k]; });
  }

  const live = (callId) => card && card.call_id === callId && !card.frozen;

  // ------------------------------------------------------------ pushes while the call is with the bot

  function prealert(b) {
    if (card && card.call_id === b.call_id && card.frozen) return;
    card = { mode: "prealert", frozen: false, lines: [] };
    take(b);
    card.lines = merge([], b.transcript);
    render();
  }

  function utterance(e) {
    if (!live(e.call_id)) return false;
    card.lines = merge(card.lines, [e.utterance]);
    render();
    return true;
  }

  function score(e) {
    if (!live(e.call_id)) return false;
    take({ score: e.score, reason: e.reason, reason_label: e.reason_label, explanation: e.explanation });
    render();
    return true;
  }

  // The reservation ended: an escalation rings next (keep the card); else the call stays with the bot.
  function cleared(e) {
    if (!card || card.call_id !== e.call_id || card.mode !== "prealert") return;
    if (e.why === "escalated") { card.mode = "ringing"; render(); return; }
    card = null;
    render();
  }

  // ------------------------------------------------------------ the call rings, is answered, ends

  // The INVITE's headers first; a call the agent followed in the pre-alert keeps its transcript.
  function ringing(fromInvite) {
    const followed = card && card.call_id && card.call_id === fromInvite.call_id;
    if (!followed) card = { lines: [], frozen: false };
    card.mode = "ringing";
    take(fromInvite);
    render();
  }

  // Django's screen-pop of the call (the lead, the ledger's last lines); after the freeze only
  // what is missing (the lead of a call confirmed late) is added.
  function fill(pop) {
    if (!card) card = { lines: [], frozen: false, mode: "ringing" };
    if (card.frozen) {
      if (!card.lead && pop.lead) { card.lead = pop.lead; render(); }
      return;
    }
    take(pop);
    card.lines = merge(card.lines, pop.transcript);
    render();
  }

  function answered() { if (card) { card.frozen = true; card.mode = "talking"; render(); } }
  function ended() { if (card) { card.mode = "ended"; render(); } }
  function gone() { card = null; render(); }

  CC.screenpop = { prealert, utterance, score, cleared, ringing, fill, answered, ended, gone,
                   current: () => card };  // prettier-ignore
})(window.CC = window.CC || {});

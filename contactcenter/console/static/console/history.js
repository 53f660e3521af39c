// Today's calls (GET /console/api/history: this agent's, since local midnight), newest first:
// time, number or customer, queue, why it came to a person, talk time, disposition and note.
(function (CC) {
  "use strict";
  const { $, api, el, clock, duration, log } = CC.util;

  const STATUS_WORDS = { ringing: "ringing", answered: "on call", missed: "missed", ended: "no disposition yet" };

  function row(c) {
    const who = c.customer ? c.customer + (c.number ? " · " + c.number : "") : c.number || "unknown";
    const outcome = el("td", {}, c.disposition || STATUS_WORDS[c.status] || c.status);
    if (c.note) outcome.append(el("span", { class: "note" }, c.note));
    return el("tr", { class: c.status === "missed" ? "missed" : c.status === "ended" ? "pending" : null,
                      "data-call": String(c.id) },
      el("td", {}, clock(c.at)), el("td", {}, who), el("td", {}, c.queue || ""),
      el("td", { title: c.reason_label || "" }, c.reason_label || c.reason || ""),
      el("td", { class: "n" }, duration(c.talk_s)), outcome);
  }

  let pending = null;
  async function refresh() {
    // One request at a time; a refresh asked for meanwhile runs once after it.
    if (pending) { pending.again = true; return pending.promise; }
    pending = { again: false };
    pending.promise = (async () => {
      try {
        do {
          pending.again = false;
          const data = await api("history");
          $("history-body").replaceChildren(...data.calls.map(row));
          $("history-count").textContent = data.calls.length ? String(data.calls.length) : "";
          log("history " + data.calls.length);
        } while (pending.again);
      } catch (err) { log("history: " + err.message); } finally { pending = null; }
    })();
    return pending.promise;
  }

  CC.history = { refresh };
})(window.CC = window.CC || {});

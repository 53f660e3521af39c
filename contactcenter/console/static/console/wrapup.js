// Wrap-up after a call: the countdown of the call's queue (the server's wrap_up_until, counted
// on this page's monotonic clock from the server's time), then "available" again, asked of the
// server, which checks the time itself; and the disposition form, which can be saved during the
// wrap-up or after it. A queue without a wrap-up time waits for the disposition.
(function (CC) {
  "use strict";
  const { $, api, log } = CC.util;

  let wrap = null; // { call, deadline (performance.now() ms) | null, disposed, timer }
  let onState = () => {};

  function describe(call) {
    const lead = call.lead;
    const who = lead ? lead.name + " · " + lead.phone : call.caller || "";
    return [who, call.queue && "queue " + call.queue, call.reason_label].filter(Boolean).join(" · ");
  }

  function stopTimer() { if (wrap && wrap.timer) { clearInterval(wrap.timer); wrap.timer = null; } }

  function showForm(visible) {
    $("disposition-form").hidden = !visible;
    $("disposition-saved").hidden = visible;
  }

  function tick() {
    const left = Math.max(0, Math.ceil((wrap.deadline - performance.now()) / 1000));
    $("wrapup-countdown").textContent = left + " s";
    if (left > 0) return;
    stopTimer();
    end(0);
  }

  // The countdown reached zero: the server says whether the wrap-up is over (409: not by its clock yet).
  async function end(attempt) {
    try {
      const change = await api("wrap-up/end", {});
      log("wrap-up over -> " + change.state);
      await onState(change);
      if (!wrap) return;
      if (wrap.disposed) close();
      else $("wrapup-countdown").textContent = "over";
    } catch (err) {
      log("wrap-up end: " + err.message);
      if (err.status === 409 && attempt < 10) setTimeout(() => end(attempt + 1), 1000);
    }
  }

  // change: the server's state after the call ended (wrap_up_until and server_time in Unix seconds).
  function begin(call, change) {
    stopTimer();
    wrap = { call, disposed: false, timer: null,
             deadline: change.wrap_up_until ? performance.now() + (change.wrap_up_until - change.server_time) * 1000 : null };
    $("wrapup").hidden = false;
    $("wrapup-call").textContent = describe(call);
    $("disposition-error").textContent = "";
    showForm(true);
    if (wrap.deadline !== null) {
      tick();
      if (wrap) wrap.timer = setInterval(tick, 250);
    } else {
      // No timer: a queue without a wrap-up time (it waits for this disposition), or one that is over.
      $("wrapup-countdown").textContent = change.state === "wrap_up" ? "until saved" : "over";
    }
  }

  function close() {
    stopTimer();
    wrap = null;
    $("wrapup").hidden = true;
    $("disposition-note").value = "";
  }

  async function save(ev) {
    ev.preventDefault();
    $("disposition-error").textContent = "";
    if (!wrap) return;
    const code = $("disposition-code").value;
    try {
      const result = await api("calls/" + wrap.call.id + "/disposition", { code, note: $("disposition-note").value });
      log("disposed " + result.disposition);
      wrap.disposed = true;
      CC.history.refresh();
      const timing = wrap.timer !== null;
      await onState(result);
      if (timing && result.state === "wrap_up") {
        showForm(false);
        $("disposition-saved").textContent = "Saved (" + $("disposition-code").selectedOptions[0].text + "); you are available when the wrap-up ends.";
      } else {
        close();
      }
    } catch (err) { $("disposition-error").textContent = err.message; }
  }

  function init(dispositions, stateHook) {
    onState = stateHook;
    $("disposition-code").replaceChildren(...dispositions.map((d) => new Option(d.label, d.code)));
    $("disposition-form").addEventListener("submit", save);
  }

  CC.wrapup = { init, begin, close, active: () => wrap };
})(window.CC = window.CC || {});

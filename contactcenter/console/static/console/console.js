// Agent console: a JsSIP softphone registered to Asterisk over WebSocket, state buttons,
// the screen-pop of escalated calls, the disposition form, and the pre-alert banner of a call
// the agent is reserved for (pushed over the console's websocket). Everything it knows about the
// agent (including its SIP password) comes from /console/api/session: nothing is hard-coded.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const ui = {
    phone: $("phone-status"), state: $("agent-state"), stateError: $("state-error"),
    call: $("call"), callTitle: $("call-title"), callStatus: $("call-status"),
    answer: $("answer"), hangup: $("hangup"), wrapup: $("wrapup"),
    form: $("disposition-form"), code: $("disposition-code"), note: $("disposition-note"),
    dispositionError: $("disposition-error"), audio: $("remote-audio"), prealert: $("prealert"),
  };
  const cc = (window.ccConsole = { ua: null, session: null, call: null, log: [], registered: false });
  const log = (msg) => { cc.log.push(msg); console.log("[console] " + msg); };

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    };
    const r = await fetch("/console/api/" + path, { credentials: "same-origin", ...opts });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.error || r.status + " " + r.statusText);
    return data;
  }

  function showState(state) {
    cc.state = state;
    ui.state.textContent = state;
    document.querySelectorAll("#states button").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.state === state));
    });
  }

  // ---------------------------------------------------------------- queue membership via the dialplan

  // The softphone calls cc-pause / cc-unpause (never answered): Asterisk pauses or unpauses this
  // endpoint in every queue and rejects the call with 603 when done, 403 when it could not.
  function queueAction(action, reason) {
    if (!action) return Promise.resolve("none");
    if (!cc.registered) return Promise.resolve("not registered");
    const target = action === "pause" ? cc.sip.pause_uri : cc.sip.unpause_uri;
    return new Promise((resolve, reject) => {
      cc.ua.call(target, {
        mediaConstraints: { audio: false, video: false },
        rtcOfferConstraints: { offerToReceiveAudio: true },
        extraHeaders: ["X-CC-Pause-Reason: " + (reason || "console")],
        eventHandlers: {
          failed: (e) => {
            const code = e.message && e.message.status_code;
            log(action + " -> " + (code || e.cause));
            code === 603 ? resolve(action) : reject(new Error(action + " failed: " + (code || e.cause)));
          },
          confirmed: () => { reject(new Error(action + ": unexpected answer")); },
        },
      });
    });
  }

  async function applyQueueState(state) {
    const action = state === "available" ? "unpause" : "pause";
    try { await queueAction(action, state); } catch (err) { ui.stateError.textContent = err.message; }
  }

  // ---------------------------------------------------------------- registration

  function startPhone() {
    if (cc.ua) { if (!cc.registered) cc.ua.register(); return; }
    const socket = new JsSIP.WebSocketInterface(cc.sip.ws_url);
    const ua = (cc.ua = new JsSIP.UA({
      sockets: [socket], uri: cc.sip.uri, authorization_user: cc.sip.authorization_user,
      password: cc.sip.password, display_name: cc.sip.display_name,
      register: true, session_timers: false, register_expires: 120,
    }));
    ua.on("connected", () => { ui.phone.textContent = "connected"; });
    ua.on("disconnected", () => { ui.phone.textContent = "disconnected"; cc.registered = false; });
    ua.on("registered", () => {
      cc.registered = true; ui.phone.textContent = "registered"; log("registered");
      // Asterisk may have restarted (members start unpaused): say again what this agent is.
      applyQueueState(cc.state);
    });
    ua.on("unregistered", () => { cc.registered = false; ui.phone.textContent = "unregistered"; log("unregistered"); });
    ua.on("registrationFailed", (e) => { cc.registered = false; ui.phone.textContent = "registration failed: " + e.cause; log("registrationFailed " + e.cause); });
    ua.on("newRTCSession", (e) => { if (e.originator === "remote") incoming(e.session, e.request); });
    ua.start();
  }

  async function setState(state) {
    ui.stateError.textContent = "";
    try {
      const change = await api("state", { state });
      showState(change.state);
      if (change.register) {
        if (!cc.registered) startPhone();  // on "registered" the queue state is applied
        else await queueAction(change.queue_action, change.state);
      } else {
        await queueAction(change.queue_action, change.state);
        if (cc.ua) cc.ua.unregister();
      }
    } catch (err) {
      ui.stateError.textContent = err.message;
    }
  }

  // ---------------------------------------------------------------- calls

  function leadRows(list, lead) {
    list.replaceChildren();
    const row = (k, v) => {
      if (v === undefined || v === null || v === "") return;
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      list.append(dt, dd);
    };
    if (lead) {
      row("Customer", lead.name); row("Phone", lead.phone); row("Campaign", lead.campaign);
      row("Reference", lead.external_id);
      Object.entries(lead.fields || {}).forEach(([k, v]) => row(k.replace(/_/g, " "), v));
    }
  }

  function transcriptLine(list, u) {
    const li = document.createElement("li"); li.textContent = u.speaker + ": " + u.text;
    if (u.id) li.dataset.utterance = u.id;
    list.append(li);
  }

  // A call's card (the screen-pop "pop-*", the pre-alert banner "pre-*"): why, who, what was said.
  function fillCard(prefix, card, scoreWord) {
    $(prefix + "reason-label").textContent = card.reason_label || "";
    $(prefix + "reason").textContent = card.reason || "";
    $(prefix + "score").textContent = card.score != null ? scoreWord + " " + Number(card.score).toFixed(2) : "";
    $(prefix + "queue").textContent = card.queue || "";
    $(prefix + "call-id").textContent = card.call_id || "";
    leadRows($(prefix + "lead"), card.lead);
    const transcript = $(prefix + "transcript");
    transcript.replaceChildren();
    (card.transcript || []).forEach((u) => transcriptLine(transcript, u));
  }

  function fill(pop) {
    fillCard("pop-", pop, "score");
    $("pop-summary").textContent = pop.summary || "";
  }

  // ---------------------------------------------------------------- pre-alert banner

  // The server pushes "prealert" (the whole banner), "prealert.utterance" (a line the caller or
  // the bot just said) and "prealert.cleared"; cc.prealert is the call shown, if any.
  function showBanner(b) {
    cc.prealert = b.call_id;
    fillCard("pre-", b, "risk");
    $("pre-explanation").textContent = b.explanation || "";
    ui.prealert.hidden = false;
    log("prealert " + b.call_id);
  }

  function addBannerLine(e) {
    if (e.call_id !== cc.prealert) return;
    const transcript = $("pre-transcript");
    // The ledger's lines and the pushed ones may overlap: each utterance shows once.
    if (e.utterance.id && transcript.querySelector('[data-utterance="' + CSS.escape(e.utterance.id) + '"]')) return;
    transcriptLine(transcript, e.utterance);
  }

  function clearBanner(e) {
    if (e.call_id !== cc.prealert) return;
    cc.prealert = null; ui.prealert.hidden = true;
    log("prealert cleared " + e.call_id + " (" + e.why + ")");
  }

  // "Call-Info: <...>;answer-after=0", the auto-answer convention desk phones read: seconds, or null.
  function answerAfter(request) {
    const m = /answer-after\s*=\s*(\d+)/i.exec(header(request, "Call-Info"));
    return m ? Number(m[1]) : null;
  }

  function answer(session) {
    if (cc.session !== session || ui.answer.disabled) return;
    ui.answer.disabled = true;
    session.answer({ mediaConstraints: { audio: true, video: false } });
  }

  function header(request, name) {
    const v = request.getHeader(name);
    return v === undefined || v === null ? "" : String(v);
  }

  async function incoming(session, request) {
    if (cc.session) { session.terminate({ status_code: 486 }); return; }
    cc.session = session;
    let summary = header(request, "X-CC-Summary");
    try { summary = decodeURIComponent(summary); } catch (_) { /* shown as it came */ }
    // First paint straight from the INVITE, then whatever Django knows about the call.
    const fromHeaders = {
      call_id: header(request, "X-CC-Call-Id"), queue: header(request, "X-CC-Queue"),
      reason: header(request, "X-CC-Escalation-Reason"), score: header(request, "X-CC-Escalation-Score"),
      summary,  // not the lead: Django finds it once it confirms the call is this agent's
    };
    log("incoming " + JSON.stringify(fromHeaders));
    fill({ ...fromHeaders, reason_label: fromHeaders.reason, score: fromHeaders.score || null });
    ui.call.hidden = false; ui.wrapup.hidden = true;
    ui.callTitle.textContent = "Incoming call"; ui.callStatus.textContent = "ringing";
    ui.answer.disabled = false; ui.hangup.disabled = false;
    // Reserved for this call (pre-alert), the agent has been following it: pbx asks the phone to
    // answer at once, and the agent's auto-answer setting says whether it does.
    const after = answerAfter(request);
    if (after !== null && cc.autoAnswer) {
      log("auto-answer after " + after + " s");
      setTimeout(() => answer(session), after * 1000);
    }

    session.on("peerconnection", (e) => {
      e.peerconnection.addEventListener("track", (t) => { ui.audio.srcObject = t.streams[0]; });
    });
    session.on("confirmed", () => {
      ui.callStatus.textContent = "talking"; ui.callTitle.textContent = "On call"; log("confirmed");
      showState("on_call");
      // Answered, the call may be confirmed as this agent's by now: the screen-pop then has the lead.
      // (Auto-answered, the offer may still be on its way: wait for it.)
      offered.then((call) => call && api("calls/" + call.id + "/answered", {}))
        .then((pop) => { if (pop && cc.call && cc.call.id === pop.id) { cc.call = pop; fill(pop); } })
        .catch((err) => log(err.message));
    });
    const finish = async (e) => {
      log("ended " + (e.cause || ""));
      cc.session = null;
      ui.answer.disabled = true; ui.hangup.disabled = true;
      const call = await offered;
      if (!call) { ui.call.hidden = true; return; }
      try {
        const result = await api("calls/" + call.id + "/ended", { cause: e.cause || "" });
        showState(result.state);
        if (result.status === "ended") {
          ui.callStatus.textContent = "ended"; ui.callTitle.textContent = "Call ended";
          ui.wrapup.hidden = false;
          await queueAction(result.queue_action, "wrap-up");  // no new call until the disposition
        } else {
          ui.call.hidden = true; cc.call = null;
        }
      } catch (err) { log(err.message); }
    };
    session.on("ended", finish);
    session.on("failed", finish);

    const offered = api("calls", { sip_call_id: request.call_id, ...fromHeaders })
      .then((pop) => { cc.call = pop; fill(pop); if (cc.session === session) showState("ringing"); return pop; })
      .catch((err) => { log("offer not recorded: " + err.message); return null; });
  }

  ui.answer.addEventListener("click", () => { if (cc.session) answer(cc.session); });
  ui.hangup.addEventListener("click", () => { if (cc.session) cc.session.terminate(); });

  ui.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    ui.dispositionError.textContent = "";
    if (!cc.call) return;
    try {
      const result = await api("calls/" + cc.call.id + "/disposition", { code: ui.code.value, note: ui.note.value });
      log("disposed " + result.disposition);
      ui.wrapup.hidden = true; ui.call.hidden = true; ui.note.value = ""; cc.call = null;
      showState(result.state);
      await queueAction(result.queue_action, result.state);
    } catch (err) { ui.dispositionError.textContent = err.message; }
  });

  document.querySelectorAll("#states button").forEach((b) => {
    b.addEventListener("click", () => setState(b.dataset.state));
  });

  // ---------------------------------------------------------------- pushes from the server

  function listen(path, delay) {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    ws.onmessage = (m) => {
      const event = JSON.parse(m.data);
      if (event.type === "agent.state" && event.state !== cc.state) showState(event.state);
      else if (event.type === "prealert") showBanner(event);
      else if (event.type === "prealert.utterance") addBannerLine(event);
      else if (event.type === "prealert.cleared") clearBanner(event);
    };
    ws.onopen = () => { delay = 1000; cc.listening = true; };
    ws.onclose = () => { cc.listening = false; setTimeout(() => listen(path, Math.min(delay * 2, 30000)), delay); };
  }

  async function boot() {
    const session = await api("session");
    cc.sip = session.sip;
    cc.autoAnswer = Boolean(session.agent.auto_answer);
    ui.code.replaceChildren(...session.dispositions.map((d) => new Option(d.label, d.code)));
    showState(session.agent.state);
    if (session.pending_disposition) {
      cc.call = session.pending_disposition; fill(cc.call);
      ui.call.hidden = false; ui.callTitle.textContent = "Call ended"; ui.wrapup.hidden = false;
      ui.answer.disabled = true; ui.hangup.disabled = true;
    }
    if (session.agent.state !== "offline") startPhone(); else ui.phone.textContent = "not registered";
    if (session.websocket) listen(session.websocket, 1000);
    cc.ready = true;
  }

  boot().catch((err) => { ui.phone.textContent = "console failed to start: " + err.message; });
})();

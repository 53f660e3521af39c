// Agent console, the page's composition root: it reads /console/api/session (everything the page
// knows about the agent, its SIP password included, comes from there: nothing is hard-coded) and
// wires the pieces: the state buttons and pause reasons, the softphone (phone.js), the ringer,
// the devices, the screen-pop (screenpop.js), wrap-up and disposition (wrapup.js), today's calls
// (history.js), the keyboard shortcuts, and the pushes of /ws/console/ (the agent's state and
// the pre-alert banner of a call the agent is reserved for).
(function (CC) {
  "use strict";
  const { $, api, log } = CC.util;
  const cc = window.ccConsole; // what tests and the demo's browser agent read: log, ready, session, ...

  // ---------------------------------------------------------------- state

  function showState(state, reason) {
    cc.state = state;
    cc.reason = reason || "";
    $("agent-state").textContent = state;
    $("agent-reason").textContent = state === "paused" ? cc.reason : "";
    $("state-pill").dataset.state = state;
    document.querySelectorAll("#states button[data-state]").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.state === state));
    });
  }

  // A state the server answered with: shown, the phone registered or not, the queue told.
  async function apply(change) {
    showState(change.state, change.reason);
    if (!cc.session && change.state === "available") phase("idle", "No call");
    if (change.register === false) {
      await cc.phone.queueFor(change.state, change.reason).catch((err) => { $("state-error").textContent = err.message; });
      cc.phone.stop();
      return;
    }
    if (!cc.phone.registered) { cc.phone.start(); return; } // once registered, the queue is told
    await cc.phone.queueFor(change.state, change.reason).catch((err) => { $("state-error").textContent = err.message; });
  }

  async function choose(state) {
    $("state-error").textContent = "";
    const body = { state };
    if (state === "paused") {
      body.reason = $("pause-reason").value;
      if (!body.reason && $("pause-reason").options.length > 1) {
        $("state-error").textContent = "Choose why you pause.";
        return;
      }
    }
    try { await apply(await api("state", body)); } catch (err) { $("state-error").textContent = err.message; }
  }

  // ---------------------------------------------------------------- the call

  const ui = { answer: $("answer"), hangup: $("hangup"), mute: $("mute"), hold: $("hold") };
  let talkTimer = null;

  function phase(name, title, status) {
    $("call").dataset.phase = name;
    $("call-title").textContent = title;
    $("call-status").textContent = status || "";
    const live = name === "ringing" || name === "talking";
    ui.answer.disabled = name !== "ringing";
    ui.hangup.disabled = !live;
    ui.mute.disabled = ui.hold.disabled = name !== "talking";
    if (name !== "talking") {
      ui.mute.setAttribute("aria-pressed", "false");
      ui.hold.setAttribute("aria-pressed", "false");
    }
  }

  function startTalkTimer() {
    const started = performance.now();
    const tick = () => { $("call-timer").textContent = CC.util.duration((performance.now() - started) / 1000); };
    tick();
    talkTimer = setInterval(tick, 1000);
  }

  function stopTalkTimer() { clearInterval(talkTimer); talkTimer = null; }

  function header(request, name) {
    const v = request.getHeader(name);
    return v === undefined || v === null ? "" : String(v);
  }

  // "Call-Info: <...>;answer-after=0", the auto-answer convention desk phones read: seconds, or null.
  function answerAfter(request) {
    const m = /answer-after\s*=\s*(\d+)/i.exec(header(request, "Call-Info"));
    return m ? Number(m[1]) : null;
  }

  function answer(session) {
    if (cc.session !== session || ui.answer.disabled) return;
    ui.answer.disabled = true;
    CC.ringer.stop();
    CC.call.answer(session);
  }

  function incoming(session, request) {
    if (cc.session) { session.terminate({ status_code: 486 }); return; }
    cc.session = session;
    let summary = header(request, "X-CC-Summary");
    try { summary = decodeURIComponent(summary); } catch (_) { /* shown as it came */ }
    const from = request.from || {};
    const caller = (from.display_name || (from.uri && from.uri.user) || "").slice(0, 80);
    // First paint straight from the INVITE, then whatever Django knows about the call.
    const fromHeaders = {
      call_id: header(request, "X-CC-Call-Id"), queue: header(request, "X-CC-Queue"),
      reason: header(request, "X-CC-Escalation-Reason"), score: header(request, "X-CC-Escalation-Score"),
      summary, caller,  // not the lead: Django finds it once it confirms the call is this agent's
    };
    log("incoming " + JSON.stringify(fromHeaders));
    CC.screenpop.ringing({ ...fromHeaders, reason_label: fromHeaders.reason, score: fromHeaders.score || null });
    $("call-who").textContent = caller;
    $("call-timer").textContent = "";
    phase("ringing", "Incoming call", "ringing");
    // Reserved for this call (pre-alert), the agent has been following it: pbx asks the phone to
    // answer at once, and the agent's auto-answer setting says whether it does.
    const after = answerAfter(request);
    if (after !== null && cc.autoAnswer) {
      log("auto-answer after " + after + " s");
      setTimeout(() => answer(session), after * 1000);
    } else {
      CC.ringer.start();
    }

    session.on("peerconnection", (e) => {
      e.peerconnection.addEventListener("track", (t) => {
        $("remote-audio").srcObject = t.streams[0];
        CC.devices.apply();  // the chosen speaker, for this call's audio
      });
    });
    session.on("confirmed", () => {
      log("confirmed");
      CC.ringer.stop();
      CC.screenpop.answered();  // frozen: no more pushes into it
      phase("talking", "On call", "talking");
      startTalkTimer();
      showState("on_call");
      CC.devices.permitted();  // the microphone is granted now: outputs are listed, the choice applies
      // Answered, the call may be confirmed as this agent's by now: the screen-pop then has the lead.
      // (Auto-answered, the offer may still be on its way: wait for it.)
      offered.then((call) => call && api("calls/" + call.id + "/answered", {}))
        .then((pop) => { if (pop && cc.call && cc.call.id === pop.id) { cc.call = pop; CC.screenpop.fill(pop); } })
        .catch((err) => log(err.message));
    });
    session.on("hold", (e) => log("hold " + e.originator));
    session.on("unhold", (e) => log("unhold " + e.originator));
    const finish = async (e) => {
      log("ended " + (e.cause || ""));
      CC.ringer.stop();
      stopTalkTimer();
      cc.session = null;
      $("remote-audio").srcObject = null;
      const call = await offered;
      if (!call) { phase("idle", "No call"); CC.screenpop.gone(); return; }
      try {
        const result = await api("calls/" + call.id + "/ended", { cause: e.cause || "" });
        if (result.status === "ended") {
          phase("ended", "Call ended", e.cause || "");
          CC.screenpop.ended();
          CC.wrapup.begin(cc.call || call, result);
          await apply(result);  // wrap-up: paused in the queues
        } else {
          phase("idle", "No call", "missed: " + (e.cause || ""));
          CC.screenpop.gone();
          cc.call = null;
          showState(result.state, result.reason);
        }
      } catch (err) { log(err.message); }
      CC.history.refresh();
    };
    session.on("ended", finish);
    session.on("failed", finish);

    const offered = api("calls", { sip_call_id: request.call_id, ...fromHeaders })
      .then((pop) => {
        cc.call = pop;
        CC.screenpop.fill(pop);
        if (pop.lead) $("call-who").textContent = pop.lead.name + " · " + pop.lead.phone;
        if (cc.session === session && !session.isEstablished()) showState("ringing");
        CC.history.refresh();
        return pop;
      })
      .catch((err) => { log("offer not recorded: " + err.message); return null; });
  }

  function wireControls() {
    ui.answer.addEventListener("click", () => { if (cc.session) answer(cc.session); });
    ui.hangup.addEventListener("click", () => { if (cc.session) cc.session.terminate(); });
    ui.mute.addEventListener("click", () => {
      if (!cc.session) return;
      const muted = CC.call.toggleMute(cc.session);
      ui.mute.setAttribute("aria-pressed", String(muted));
      log(muted ? "muted" : "unmuted");
    });
    ui.hold.addEventListener("click", async () => {
      if (!cc.session) return;
      ui.hold.disabled = true;
      try {
        const held = await CC.call.toggleHold(cc.session);
        ui.hold.setAttribute("aria-pressed", String(held));
        $("call-status").textContent = held ? "on hold" : "talking";
        log(held ? "held" : "resumed");
      } catch (err) { log(err.message); } finally { ui.hold.disabled = !cc.session; }
    });
    document.querySelectorAll("#states button[data-state]").forEach((b) => {
      b.addEventListener("click", () => choose(b.dataset.state));
    });
    $("device-test-ring").addEventListener("click", () => CC.ringer.test());
    $("ringer").addEventListener("click", () => log("ringer clicked"));
  }

  // ---------------------------------------------------------------- pushes from the server

  function onPush(event) {
    log("push " + event.type);
    if (event.type === "agent.state") {
      if (event.state === cc.state && (event.reason || "") === cc.reason) return;
      showState(event.state, event.reason);
      // Ended elsewhere (the server's wrap-up sweep, another tab): the queue follows.
      if (["available", "paused", "offline"].includes(event.state) && cc.phone.registered) {
        cc.phone.queueFor(event.state, event.reason).catch((err) => log(err.message));
      }
    } else if (event.type === "prealert") {
      cc.prealert = event.call_id;
      CC.screenpop.prealert(event);
      log("prealert " + event.call_id);
    } else if (event.type === "prealert.utterance") {
      if (CC.screenpop.utterance(event)) log("prealert line " + (event.utterance.id || ""));
    } else if (event.type === "prealert.score") {
      if (CC.screenpop.score(event)) log("prealert score " + event.score);
    } else if (event.type === "prealert.cleared") {
      if (cc.prealert === event.call_id) cc.prealert = null;
      CC.screenpop.cleared(event);
      log("prealert cleared " + event.call_id + " (" + event.why + ")");
    }
  }

  function listen(path, delay) {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    ws.onmessage = (m) => onPush(JSON.parse(m.data));
    ws.onopen = () => { delay = 1000; cc.listening = true; };
    ws.onclose = () => { cc.listening = false; setTimeout(() => listen(path, Math.min(delay * 2, 30000)), delay); };
  }

  // ---------------------------------------------------------------- start

  async function boot() {
    const session = await api("session");
    cc.sip = session.sip;
    cc.autoAnswer = Boolean(session.agent.auto_answer);
    $("pause-reason").replaceChildren(new Option("Pause reason…", ""),
      ...session.pause_reasons.map((r) => new Option(r, r)));
    if (session.agent.reason) $("pause-reason").value = session.agent.reason;
    CC.wrapup.init(session.dispositions, apply);
    cc.phone = new CC.Phone(session.sip, {
      onStatus: (text, kind) => { $("phone-status").textContent = text; $("phone-pill").dataset.kind = kind; },
      onIncoming: incoming,
      onRegistered: () => cc.phone.queueFor(cc.state, cc.reason).catch((err) => { $("state-error").textContent = err.message; }),
    });
    Object.defineProperty(cc, "ua", { get: () => cc.phone.ua });
    Object.defineProperty(cc, "registered", { get: () => cc.phone.registered });
    wireControls();
    CC.shortcuts.init();
    showState(session.agent.state, session.agent.reason);
    phase("idle", "No call");
    if (session.pending_disposition) {
      cc.call = session.pending_disposition;
      CC.screenpop.fill(cc.call);
      CC.screenpop.ended();
      CC.wrapup.begin(cc.call, session.agent);
    }
    await Promise.all([CC.devices.init($("remote-audio"), $("ring-audio")), CC.ringer.init($("ring-audio"), $("ringer"))]);
    if (session.agent.state !== "offline") cc.phone.start(); else cc.phone.status("not registered", "idle");
    if (session.websocket) listen(session.websocket, 1000);
    CC.history.refresh();
    cc.ready = true;
  }

  boot().catch((err) => { $("phone-status").textContent = "console failed to start: " + err.message; log("boot " + err.message); });
})(window.CC = window.CC || {});

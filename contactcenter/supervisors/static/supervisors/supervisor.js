// Supervisor page: the floor from the wallboard's websocket (AI calls, calls with agents, waiting
// callers, agents), buttons that post to /api/supervisor/, and the supervisor's own phone
// (phone/phone.js) that pbx rings to join a call. pbx marks those legs
// "X-CC-Supervise: <listen|whisper|barge|takeover> <call id>"; the page answers them at once.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const sup = (window.ccSupervisor = {
    ready: false, sections: {}, epoch: null, seq: 0, offset: 0, log: [],
    session: null, phone: null, current: null, incoming: null, talking: null,
    reasons: {},  // agent -> the pause reason chosen in its row, kept across redraws
  });
  const log = (msg) => { sup.log.push(msg); console.log("[supervisor] " + msg); };

  // ---------------------------------------------------------------- the API

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function errorText(data, r) {
    if (data.detail) return data.detail;
    const fields = Object.entries(data).map(([k, v]) => k + ": " + [].concat(v).join(" "));
    return fields.length ? fields.join("; ") : r.status + " " + r.statusText;
  }

  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    };
    const r = await fetch("/api/supervisor/" + path, { credentials: "same-origin", ...opts });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(errorText(data, r));
    return data;
  }

  function say(text, bad) {
    $("result").textContent = text;
    $("result").className = bad ? "error" : "";
    log(text);
  }

  async function post(path, body, what) {
    try {
      const sent = await api(path, body);
      say(what + ": sent to pbx (command " + sent.command_id.slice(0, 8) + ")");
      return sent;
    } catch (err) {
      say(what + ": " + err.message, true);
      return null;
    }
  }

  // ---------------------------------------------------------------- supervising a call

  function showCurrent() {
    const c = sup.current;
    $("supervising").hidden = !c;
    if (c) { $("supervising-call").textContent = short(c.call_id); $("supervising-mode").textContent = c.mode; }
    if (sup.talking) sup.talking.mute(Boolean(c) && c.mode === "listen");  // nobody hears a listener anyway
    renderCalls();
  }

  async function supervise(callId, mode) {
    // One call at a time: leave the last one first.
    if (sup.current && sup.current.call_id !== callId) await stop();
    const sent = await post("calls/" + callId + "/supervise", { mode }, mode + " " + short(callId));
    if (sent) { sup.current = { call_id: callId, mode }; showCurrent(); }
  }

  async function stop() {
    const c = sup.current;
    if (!c) return;
    sup.current = null;
    await post("calls/" + c.call_id + "/stop", {}, "stop " + short(c.call_id));
    if (sup.talking && sup.talking.supervise && sup.talking.supervise.call_id === c.call_id) sup.talking.hangup();
    showCurrent();
  }

  async function takeover(callId, to) {
    if (sup.current && sup.current.call_id === callId) await stop();
    await post("calls/" + callId + "/takeover", { to }, "take over " + short(callId) + " to my " + to);
  }

  // ---------------------------------------------------------------- forcing an agent's state

  async function force(agent, path, body, what) {
    const sent = await post("agents/" + encodeURIComponent(agent) + "/" + path, body, what + " " + agent);
    if (sent && sent.agent) {  // shown at once; the wallboard's feed confirms it within seconds
      const row = (sup.sections.agents || []).find((a) => a.name === agent);
      if (row) { row.state = sent.agent.state; row.since = Date.now() / 1000 + sup.offset; }
      renderAgents();
    }
  }

  // ---------------------------------------------------------------- the phone

  // "listen 2f0c…" -> { mode, call_id }; anything else -> null.
  function superviseHeader(call) {
    const m = /^\s*(listen|whisper|barge|takeover)\s+([0-9a-f-]{36})\s*$/i.exec(call.header("X-CC-Supervise"));
    return m ? { mode: m[1].toLowerCase(), call_id: m[2].toLowerCase() } : null;
  }

  function showPhoneCalls() {
    $("incoming").hidden = !sup.incoming;
    if (sup.incoming) {
      $("incoming-what").textContent = sup.incoming.header("X-CC-Call-Id")
        ? "call " + short(sup.incoming.header("X-CC-Call-Id")) : "a call";
    }
    $("talking").hidden = !sup.talking;
    if (sup.talking) {
      const leg = sup.talking.supervise;
      $("talking-call").textContent = leg ? leg.mode + " " + short(leg.call_id) : short(sup.talking.header("X-CC-Call-Id"));
    }
  }

  function onIncoming(call) {
    if (sup.talking || sup.incoming) { call.session.terminate({ status_code: 486 }); return; }
    call.supervise = superviseHeader(call);
    call.on("confirmed", () => {
      sup.incoming = null; sup.talking = call;
      if (sup.current && call.supervise && call.supervise.call_id === sup.current.call_id) {
        call.mute(sup.current.mode === "listen");
      }
      log("talking " + JSON.stringify(call.supervise));
      showPhoneCalls();
    });
    call.on("ended", () => {
      if (sup.incoming === call) sup.incoming = null;
      if (sup.talking === call) sup.talking = null;
      // pbx (or the call) ended the leg: nothing is supervised any more.
      if (call.supervise && sup.current && call.supervise.call_id === sup.current.call_id) sup.current = null;
      showPhoneCalls(); showCurrent();
    });
    // pbx's supervisor legs (and a take-over to this phone, asked for a moment ago) are answered
    // at once; any other call rings until the supervisor answers it.
    if (call.supervise || call.answerAfter() === 0) {
      log("auto-answer " + call.header("X-CC-Supervise"));
      sup.talking = call;
      call.answer();
    } else {
      sup.incoming = call;
    }
    showPhoneCalls();
  }

  function startPhone(session) {
    const phone = session.phone;
    if (!phone) {
      $("phone-name").textContent = "no phone";
      $("phone-status").textContent = "an admin gives you one (Admin → Supervisors → Supervisor profiles)";
      return;
    }
    $("phone-name").textContent = phone.name;
    if (!phone.sip) {
      $("phone-status").textContent = "desk phone (" + phone.transport + "): answer it when it rings";
      return;
    }
    sup.phone = ccPhone.create({
      sip: phone.sip, audio: $("remote-audio"), log,
      onStatus: (s) => { $("phone-status").textContent = s; },
      onIncoming,
    });
    sup.phone.start();
  }

  // ---------------------------------------------------------------- rendering the floor

  function short(id) { return id ? String(id).slice(0, 8) : "–"; }
  function num(v) { return v === null || v === undefined ? "–" : Number(v).toFixed(2); }
  function dur(since) {
    if (!since) return "–";
    const s = Math.max(0, Math.round(Date.now() / 1000 + sup.offset - since));
    return s < 60 ? s + " s" : Math.floor(s / 60) + " min " + (s % 60) + " s";
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "onclick") e.addEventListener("click", v);
      else if (k === "disabled") e.disabled = Boolean(v);
      else e.setAttribute(k, v);
    });
    children.forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : String(c))));
    return e;
  }
  const td = (v, cls) => el("td", cls ? { class: cls } : {}, v);
  // A duration the clock redraws (tick) without rebuilding the row and its buttons.
  const since = (at) => el("td", { class: "n", "data-since": at || "" }, dur(at));

  function tick() {
    document.querySelectorAll("td[data-since]").forEach((cell) => {
      cell.textContent = dur(Number(cell.getAttribute("data-since")) || null);
    });
  }

  function button(label, action, onclick, opts) {
    return el("button", { "data-action": action, onclick, disabled: opts && opts.disabled,
                          title: (opts && opts.title) || "" }, label);
  }

  function callButtons(callId, kind) {
    const noPhone = !(sup.session && sup.session.phone);
    const phoneTitle = noPhone ? "you have no phone to listen on" : "";
    const on = sup.current && sup.current.call_id === callId ? sup.current.mode : null;
    const modes = kind === "ai" ? ["listen", "barge"] : ["listen", "whisper", "barge"];
    const cell = el("td", { class: "actions" });
    modes.forEach((mode) => {
      const b = button(mode[0].toUpperCase() + mode.slice(1), mode, () => supervise(callId, mode),
                       { disabled: noPhone || on === mode, title: phoneTitle });
      if (on === mode) b.setAttribute("aria-pressed", "true");
      cell.append(b);
    });
    if (on) cell.append(button("Stop", "stop", () => stop()));
    if (kind === "ai") {
      cell.append(button("Take over → my phone", "takeover-phone", () => takeover(callId, "phone"),
                         { disabled: noPhone, title: phoneTitle }));
      const noQueue = !(sup.session && sup.session.supervisor_queue);
      cell.append(button("→ my queue", "takeover-queue", () => takeover(callId, "queue"),
                         { disabled: noQueue, title: noQueue ? "you have no queue of your own" : "" }));
    }
    return cell;
  }

  function row(callId, kind, cells) {
    const tr = el("tr", { "data-call": callId || "" }, ...cells);
    if (sup.current && sup.current.call_id === callId) tr.className = "supervised";
    // A caller pbx never named (straight from a trunk, before its call id) cannot be asked for,
    // nor a call still ringing the customer.
    tr.append(callId && kind !== "dialing" ? callButtons(callId, kind) : td("", "dim"));
    return tr;
  }

  function renderCalls() {
    const live = (sup.sections.live && sup.sections.live.calls) || [];
    $("ai-count").textContent = live.length;
    $("ai-body").replaceChildren(...live.map((c) => row(c.call_id, c.state === "dialing" ? "dialing" : "ai", [
      td(short(c.call_id)), td(c.state === "with_bot" ? "with bot" : c.state), since(c.since),
      td(num(c.sentiment), "n"), td(num(c.risk), "n" + (c.at_risk ? " hot" : "")),
    ])));
    const escalations = sup.sections.escalations || [];
    const human = escalations.filter((e) => e.status === "with_agent");
    $("human-count").textContent = human.length;
    $("human-body").replaceChildren(...human.map((e) => row(e.call_id, "human", [
      td(short(e.call_id)), td(e.agent), td(e.queue), td(e.reason),
    ])));
    const waiting = escalations.filter((e) => e.status === "waiting" || e.status === "transferring");
    $("waiting-count").textContent = waiting.length;
    $("waiting-body").replaceChildren(...waiting.map((e) => el("tr", { "data-call": e.call_id || "" },
      td(short(e.call_id)), td(e.queue), td(e.reason), since(e.at))));
  }

  function renderAgents() {
    const phones = new Set((sup.session && sup.session.supervisor_phones) || []);
    const reasons = (sup.session && sup.session.pause_reasons) || [];
    const agents = (sup.sections.agents || []).filter((a) => !phones.has(a.name));
    $("agents-body").replaceChildren(...agents.map((a) => {
      const select = el("select", { "aria-label": "pause reason", "data-agent": a.name },
                        ...reasons.map((r) => el("option", { value: r }, r)));
      if (reasons.includes(sup.reasons[a.name])) select.value = sup.reasons[a.name];
      select.addEventListener("change", () => { sup.reasons[a.name] = select.value; });
      const pause = button("Pause", "pause", () => force(a.name, "pause", { reason: select.value }, "pause"),
                           { disabled: !reasons.length || a.state === "offline",
                             title: reasons.length ? "" : "no pause reasons: an admin adds them" });
      const logOut = button("Log out", "log-out", () => force(a.name, "log-out", {}, "log out"),
                            { disabled: a.state === "offline" });
      return el("tr", { "data-agent": a.name }, td(a.display_name || a.name), td(a.state, "s-" + a.state),
                since(a.since), td((a.queues || []).join(", ")), el("td", { class: "actions" }, select, pause, logOut));
    }));
  }

  function apply(sections) {
    Object.assign(sup.sections, sections);
    if ("live" in sections || "escalations" in sections) renderCalls();
    if ("agents" in sections) renderAgents();
  }

  // The wallboard's protocol: a snapshot, then patches numbered by seq; a gap asks for a snapshot.
  function onMessage(socket, msg) {
    sup.offset = msg.server_time - Date.now() / 1000;
    if (msg.type === "snapshot") {
      sup.epoch = msg.epoch; sup.seq = msg.seq; apply(msg.sections);
    } else if (msg.type === "patch") {
      if (msg.epoch === sup.epoch && msg.seq <= sup.seq) return;
      if (msg.epoch !== sup.epoch || msg.seq !== sup.seq + 1) { socket.send(JSON.stringify({ type: "snapshot" })); return; }
      sup.seq = msg.seq; apply(msg.sections);
    }
    const status = $("floor-status");
    status.textContent = msg.feeder === "offline" ? "no live feed (database only)" : "live";
    status.className = "pill " + (msg.feeder === "offline" ? "warn" : "ok");
  }

  function watch(path, delay) {
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    socket.onopen = () => { delay = 500; };
    socket.onmessage = (m) => onMessage(socket, JSON.parse(m.data));
    socket.onclose = (e) => {
      $("floor-status").textContent = e.code === 4403 ? "not allowed" : "reconnecting…";
      $("floor-status").className = "pill bad";
      if (e.code !== 4403) setTimeout(() => watch(path, Math.min(delay * 2, 15000)), delay);
    };
  }

  $("stop").addEventListener("click", () => stop());
  $("answer").addEventListener("click", () => { if (sup.incoming) sup.incoming.answer(); });
  $("decline").addEventListener("click", () => { if (sup.incoming) sup.incoming.hangup(); });
  $("hangup").addEventListener("click", () => { if (sup.talking) sup.talking.hangup(); });

  async function boot() {
    const session = (sup.session = await api("session"));
    startPhone(session);
    watch(session.websocket, 500);
    setInterval(tick, 1000);  // durations only: no data is fetched
    sup.ready = true;
  }

  boot().catch((err) => { $("phone-status").textContent = "the page failed to start: " + err.message; });
})();

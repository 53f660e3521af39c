"use strict";
// The wallboard page. Everything arrives over the websocket: a snapshot on connect, then patches
// (the sections that changed). The only timer redraws what ticks (waits, time in state) from
// timestamps already received, and recolours the longest wait with the thresholds the server sent.
(() => {
  const PAGE = JSON.parse(document.getElementById("wallboard-page").textContent);
  const board = { epoch: null, seq: 0, sections: {}, offset: 0, feeder: null, lastMessage: 0 };
  const charts = {};  // uPlot instances by series name
  const callbacks = {};  // call key -> the endpoint's answer (kept across re-renders)
  const api = { board, charts, callbacks, ready: false, messages: 0 };
  window.ccWallboard = api;
  let socket = null, retryMs = 500;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v); }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
    return node;
  }
  const td = (text, cls) => el("td", { class: cls }, text);
  const num = (v) => (v === null || v === undefined ? "–" : String(v));
  const pct = (v) => (v === null || v === undefined ? "–" : Math.round(v * 100) + "%");
  const secs = (v) => (v === null || v === undefined ? "–" : v.toFixed(1) + " s");
  const serverNow = () => Date.now() / 1000 + board.offset;
  const words = (s) => (s || "").replaceAll("_", " ");
  function dur(since) {
    if (!since) return "–";
    let s = Math.max(0, Math.floor(serverNow() - since));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60); s %= 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
  }
  const hhmm = (t) => (t ? new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "–");
  function fill(id, rows) { document.getElementById(id).replaceChildren(...rows); }
  const lv = (level) => (level ? " lv-" + level : "");

  // The same bands as thresholds.py, for values that change between updates (a caller's wait).
  function levelOf(figure, value) {
    const band = ((board.sections.today || {}).thresholds || {})[figure];
    if (!band || value === null || value === undefined) return null;
    if (band.lower_is_worse) return value < band.bad ? "bad" : value < band.warn ? "warn" : "ok";
    return value > band.bad ? "bad" : value > band.warn ? "warn" : "ok";
  }
  // A cell whose duration ticks from data-since, coloured by the band named in data-band.
  function ticking(tag, since, cls, band) {
    return el(tag, { class: cls, "data-since": since || "", "data-band": band || null, "data-class": cls }, dur(since));
  }
  function tile(key, value, level, attrs) {
    return el("div", { class: "tile" + lv(level), "data-figure": key, ...(attrs || {}) },
      el("div", { class: "v" }, value), el("div", { class: "k" }, key));
  }

  const render = {
    kpis() {
      const s = board.sections, t = s.today || {}, queues = s.queues || [], live = s.live || {}, levels = t.levels || {};
      const waiting = queues.reduce((n, q) => n + q.waiting, 0);
      const oldest = queues.map((q) => q.oldest_since).filter(Boolean).sort((a, b) => a - b)[0] || null;
      const longest = el("div", { class: "tile" + lv(oldest ? levelOf("longest_wait_s", serverNow() - oldest) : "ok"),
        "data-figure": "Longest wait", "data-since": oldest || "", "data-band": "longest_wait_s", "data-class": "tile" },
        el("div", { class: "v", id: "kpi-longest" }, oldest ? dur(oldest) : "–"), el("div", { class: "k" }, "Longest wait"));
      longest.dataset.target = "kpi-longest";
      fill("kpi-tiles", [
        tile("Waiting now", String(waiting), levelOf("waiting", waiting), { id: "kpi-waiting" }),
        longest,
        tile("Service level (" + num(t.service_level_s) + " s)", pct(t.service_level), levels.service_level),
        tile("ASA", secs(t.asa_s), levels.asa_s),
        tile("Abandon rate", pct(t.abandon_rate), levels.abandon_rate),
        tile("AHT", secs(t.aht_s ?? null), levels.aht_s),
        tile("Occupancy", pct(t.occupancy ?? null), levels.occupancy),
        tile("Agent answer time", secs(t.agent_answer_s ?? null), levels.agent_answer_s),
        tile("AI calls", num(live.ai_calls), (live.levels || {}).at_risk_unreserved),
        tile("Containment", pct(t.containment_rate), levels.containment_rate),
        tile("Escalations / last hour", num(t.escalations_last_hour)),
        tile("Decision → queue", secs(t.escalation_latency_s), levels.escalation_latency_s),
      ]);
    },
    today(t) {
      const tiles = [["Calls", t.total], ["In progress", t.in_progress], ["Completed by bot", t.completed_by_bot],
        ["Escalated", t.escalated], ["Answered by agent", t.answered_by_agent], ["Abandoned", t.abandoned],
        ["Short abandons", t.short_abandons], ["Returned to bot", t.returned_to_bot], ["Handled", t.handled]];
      fill("today-tiles", tiles.map(([k, v]) => tile(k, num(v))));
      const note = [];
      if (t.agent_answer && t.agent_answer.p50 !== null) note.push("agent answer time p50 " + secs(t.agent_answer.p50) + ", p95 " + secs(t.agent_answer.p95));
      if (t.escalation_latency && t.escalation_latency.p50 !== null) note.push("decision → queue p50 " + secs(t.escalation_latency.p50) + ", p95 " + secs(t.escalation_latency.p95));
      if (t.counted_since) note.push("counted since " + hhmm(t.counted_since) + " (earlier events were trimmed from the stream)");
      document.getElementById("today-note").textContent = note.join(" · ");
      const outcomes = Object.entries(t.outcomes || {});
      fill("outcomes", outcomes.length ? outcomes.map(([k, n]) => el("span", { class: "chip" }, words(k) + " " + n)) : [el("span", { class: "dim" }, "none yet")]);
      // Escalations per hour by reason: the latest hours first.
      const hours = (t.escalations_per_hour || []).slice(-4).reverse();
      fill("reasons", hours.length ? hours.map((h) => el("div", {}, el("span", { class: "dim" }, hhmm(h.hour_start).slice(0, 5) + " "),
        ...Object.entries(h.by_reason).map(([reason, n]) => el("span", { class: "chip", "data-reason": reason }, words(reason) + " " + n))))
        : [el("span", { class: "dim" }, "none yet")]);
    },
    queues(rows) {
      fill("queues-body", rows.map((q) => {
        const o = q.oldest, lv_ = q.levels || {};
        const who = o ? (o.reason ? words(o.reason) + " · " : "") + (o.call_id || o.key).slice(0, 8) : "–";
        return el("tr", { "data-queue": q.name }, td(q.name), td(num(q.waiting), "n waiting" + lv(lv_.waiting)),
          q.oldest_since ? ticking("td", q.oldest_since, "n longest", "longest_wait_s") : td("–", "n longest"),
          td(who, "small oldest"),
          td(num(q.agents.available), "n s-available"), td(num(q.agents.reserved), "n s-reserved"),
          td(num(q.agents.on_call + q.agents.ringing), "n s-on_call"),
          td(num(q.agents.wrap_up), "n s-wrap_up"), td(num(q.agents.paused), "n s-paused"), td(num(q.agents.offline), "n s-offline"),
          td(num(q.answered_today), "n"), td(num(q.abandoned_today), "n" + lv(lv_.abandon_rate)),
          td(secs(q.asa_s), "n" + lv(lv_.asa_s)), td(pct(q.service_level), "n" + lv(lv_.service_level)));
      }));
    },
    live(l) {
      document.getElementById("ai-calls").textContent = num(l.ai_calls);
      const p = l.pbx || {};
      document.getElementById("ai-detail").textContent = ["dialing", "with_bot", "escalating", "queued", "with_agent"]
        .filter((k) => k in p).map((k) => words(k) + " " + p[k]).join(" · ");
      const risky = document.getElementById("ai-at-risk");
      risky.textContent = l.at_risk ? "at risk " + l.at_risk + (l.at_risk_unreserved ? " (" + l.at_risk_unreserved + " without a reserved agent)" : "") : "";
      risky.className = "small" + (l.at_risk_unreserved ? " hot" : "");
      document.getElementById("ai-sentiment").textContent = l.avg_sentiment === null ? "" : "average caller sentiment " + l.avg_sentiment;
      const pbx = document.getElementById("pbx");
      pbx.textContent = l.pbx_ok ? "pbx live" : "pbx not reporting";
      pbx.className = "pill " + (l.pbx_ok ? "ok" : "warn");
      fill("live-body", l.calls.map((c) => el("tr", {}, td((c.call_id || "").slice(0, 8)), td(words(c.state)),
        ticking("td", c.since, "n"),
        td(num(c.sentiment), "n" + (c.sentiment !== null && c.sentiment < -0.3 ? " hot" : "")),
        td(num(c.risk) + (c.reserved_agent ? " → " + c.reserved_agent : c.at_risk ? " ⚠" : ""), "n" + (c.risk >= 0.5 || c.at_risk ? " hot" : "")))));
    },
    escalations(rows) {
      fill("escalations-body", rows.map((e) => el("tr", {}, td(hhmm(e.at)), td(e.queue), td(words(e.reason)), td(num(e.score), "n"),
        td(secs(e.decision_to_queue_s), "n"), td(words(e.status), "st-" + e.status), td(e.agent || ""),
        td(e.explanation || "", "small dim"))));
    },
    agents(rows) {
      fill("agents-body", rows.map((a) => el("tr", { "data-agent": a.name }, td(a.display_name),
        td(words(a.state) + (a.reserved_for ? " for " + a.reserved_for.slice(0, 8) : ""), "s-" + a.state),
        td(a.reason || "", "small reason"), ticking("td", a.since, "n"), td(num(a.calls_today), "n calls"), td(secs(a.aht_s), "n"),
        td(pct(a.occupancy), "n"), td(a.queues.join(", "), "small dim"))));
    },
    abandoned(rows) {
      fill("abandoned-body", rows.map((c) => {
        const cells = [td(hhmm(c.left_at || c.joined_at)), td(c.queue), td(words(c.reason)), td(secs(c.wait_s), "n"),
          td((c.call_id || c.key).slice(0, 8), "small dim")];
        if (PAGE.callbacks_url) cells.push(el("td", {}, callbackCell(c)));
        return el("tr", { "data-key": c.key }, ...cells);
      }));
    },
    campaigns(rows) {
      fill("campaigns-body", rows.map((c) => {
        const bar = el("div", { class: "bar" }, el("div", { style: "width:" + Math.round((c.progress || 0) * 100) + "%" }));
        const outcomes = el("td", {}, ...Object.entries(c.outcomes).map(([k, v]) => el("span", { class: "chip" }, k + " " + v)));
        const pacing = el("td", { class: "small" });
        if (c.pacing.human_bound) pacing.append(el("span", { class: "pill warn" }, "human-bound"), " ");
        else if (c.pacing.bound) pacing.append(el("span", { class: "pill" }, c.pacing.bound + "-bound"), " ");
        pacing.append(el("span", { class: "dim" }, c.pacing.explanation || ""));
        return el("tr", {}, td(c.name), td(c.status), td(c.dial_mode),
          td(c.leads_done + " / " + c.leads_total + (c.leads_dialing ? " (" + c.leads_dialing + " dialing)" : ""), "n"),
          el("td", {}, bar), outcomes, pacing);
      }));
    },
    charts(c) { drawCharts(c); },
  };

  // ------------------------------------------------------------------ the call-back button

  function callbackCell(call) {
    const answer = callbacks[call.key];
    if (answer && answer.pending) return el("span", { class: "dim" }, "scheduling…");
    if (answer && answer.ok) return el("span", { class: "cb-ok" }, "scheduled: " + answer.detail);
    const button = el("button", { type: "button", class: "callback" }, "Call back");
    button.addEventListener("click", () => callBack(call.key));
    const cell = el("span", {}, button);
    if (answer) cell.append(" ", el("span", { class: "cb-no small" }, answer.detail));
    return cell;
  }

  async function callBack(key) {
    callbacks[key] = { pending: true };
    render.abandoned(board.sections.abandoned || []);
    try {
      const response = await fetch(PAGE.callbacks_url, {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ key }),
        headers: { "Content-Type": "application/json", "X-CSRFToken": PAGE.csrf_token },
      });
      callbacks[key] = await response.json().catch(() => ({ ok: false, detail: "HTTP " + response.status }));
    } catch (error) {
      callbacks[key] = { ok: false, detail: "not sent: " + error };
    }
    render.abandoned(board.sections.abandoned || []);
  }

  // ------------------------------------------------------------------ charts (uPlot, vendored by setup.sh)

  const CHART_STYLE = {
    service_level: { stroke: "#3fb950", fill: "rgba(63,185,80,.12)", range: [0, 100], scale: 100 },
    waiting: { stroke: "#d29922", fill: "rgba(210,153,34,.15)" },
    ai_calls: { stroke: "#58a6ff", fill: "rgba(88,166,255,.15)" },
    escalations: { stroke: "#f85149", fill: "rgba(248,81,73,.6)", bars: true },
  };

  function chartOptions(name, width) {
    const style = CHART_STYLE[name];
    const axis = { stroke: "#8b9bab", grid: { stroke: "#263442", width: 1 }, ticks: { stroke: "#263442" } };
    const series = { stroke: style.stroke, fill: style.fill, width: 2, points: { show: false } };
    if (style.bars) series.paths = uPlot.paths.bars({ size: [0.9, 40] });
    return {
      width, height: document.body.classList.contains("tv") ? 200 : 130, legend: { show: false },
      cursor: { show: false }, padding: [8, 8, 0, 0],
      scales: { x: { time: true }, y: { range: style.range ? () => style.range : (u, min, max) => [0, Math.max(2, Math.ceil(max || 0))] } },
      axes: [{ ...axis, space: 60 }, { ...axis, size: 40 }],
      series: [{}, series],
    };
  }

  function drawCharts(data) {
    if (typeof uPlot === "undefined") {
      document.getElementById("charts").dataset.state = "no chart library (run deploy/local/setup.sh)";
      return;
    }
    for (const name of Object.keys(CHART_STYLE)) {
      const values = (data[name] || []).map((v) => (v === null || v === undefined ? null : v * (CHART_STYLE[name].scale || 1)));
      const rows = [data.t || [], values];
      const holder = document.getElementById("chart-" + name);
      if (!charts[name]) {
        charts[name] = new uPlot(chartOptions(name, holder.clientWidth || 300), rows, holder);
      } else {
        charts[name].setData(rows);
      }
    }
    document.getElementById("charts").dataset.state = "drawn";
  }

  window.addEventListener("resize", () => {
    for (const [name, chart] of Object.entries(charts)) {
      const holder = document.getElementById("chart-" + name);
      chart.setSize({ width: holder.clientWidth || 300, height: chart.height });
    }
  });

  // ------------------------------------------------------------------ updates

  function tick() {  // what ticks only: no data is fetched
    document.getElementById("clock").textContent = hhmm(serverNow());
    for (const node of document.querySelectorAll("[data-since]")) {
      const since = parseFloat(node.getAttribute("data-since"));
      if (!since) continue;
      const target = node.dataset.target ? document.getElementById(node.dataset.target) : node;
      target.textContent = dur(since);
      if (node.dataset.band) node.className = (node.dataset.class || "") + lv(levelOf(node.dataset.band, serverNow() - since));
    }
    const silent = board.lastMessage && Date.now() - board.lastMessage > 15000;
    const feeder = document.getElementById("feeder");
    feeder.textContent = board.feeder === "offline" ? "feeder offline (database only)" : silent ? "no updates for " + Math.round((Date.now() - board.lastMessage) / 1000) + " s" : "live";
    feeder.className = "pill " + (board.feeder === "live" && !silent ? "ok" : "bad");
  }

  function apply(sections) {
    Object.assign(board.sections, sections);  // all first: a section may read another (kpis, bands)
    for (const [name, value] of Object.entries(sections)) {
      if (render[name]) render[name](value);
    }
    if (["today", "queues", "live"].some((name) => name in sections)) render.kpis();
  }

  function onMessage(msg) {
    board.lastMessage = Date.now();
    board.offset = msg.server_time - Date.now() / 1000;
    if (msg.type === "snapshot") {
      board.epoch = msg.epoch; board.seq = msg.seq; board.feeder = msg.feeder;
      apply(msg.sections);
    } else if (msg.type === "patch") {
      if (msg.epoch === board.epoch && msg.seq <= board.seq) return;  // already in the snapshot
      if (msg.epoch !== board.epoch || msg.seq !== board.seq + 1) {  // a gap, or a new feeder: start over
        socket.send(JSON.stringify({ type: "snapshot" }));
        return;
      }
      board.seq = msg.seq; board.feeder = msg.feeder;
      apply(msg.sections);
    }
    api.messages += 1;
    api.ready = true;
    tick();
  }

  function connect() {
    const conn = document.getElementById("conn");
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + PAGE.ws_path);
    socket.onopen = () => { conn.textContent = "connected"; conn.className = "pill ok"; retryMs = 500; };
    socket.onmessage = (e) => onMessage(JSON.parse(e.data));
    socket.onclose = (e) => {
      conn.textContent = e.code === 4403 ? "not allowed (staff only)" : "reconnecting…";
      conn.className = "pill bad";
      if (e.code === 4403) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  // TV mode has no controls; a double click asks the browser for full screen (kiosk screens
  // start in it: chromium --kiosk URL).
  if (PAGE.tv) document.addEventListener("dblclick", () => document.documentElement.requestFullscreen?.().catch(() => {}));
  connect();
  setInterval(tick, 1000);
})();

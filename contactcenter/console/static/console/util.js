// The console's small shared helpers (window.CC.util): the JSON API, the log the tests read,
// element building and time formats. Every other console script registers itself on window.CC.
(function (CC) {
  "use strict";

  const $ = (id) => document.getElementById(id);

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  // GET when body is undefined, else a JSON POST with the CSRF token. Errors carry the server's words.
  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    };
    const r = await fetch("/console/api/" + path, { credentials: "same-origin", ...opts });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new ApiError(data.error || r.status + " " + r.statusText, r.status);
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) node.setAttribute(k, v); });
    children.forEach((c) => { if (c !== null && c !== undefined) node.append(c); });
    return node;
  }

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (unixS) => { const d = new Date(unixS * 1000); return pad(d.getHours()) + ":" + pad(d.getMinutes()); };
  const duration = (s) => (s === null || s === undefined) ? "" : Math.floor(s / 60) + ":" + pad(Math.floor(s % 60));

  // What the agent's console did, in order: the tests and the demo's browser agent read it.
  const cc = (window.ccConsole = window.ccConsole || { log: [] });
  const log = (msg) => { cc.log.push(msg); console.log("[console] " + msg); };

  CC.util = { $, api, ApiError, el, clock, duration, log };
})(window.CC = window.CC || {});

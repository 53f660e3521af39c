// A browser SIP phone for any page that registers an agent endpoint: JsSIP over Asterisk's
// SIP WebSocket, the far end's audio on an <audio> element, incoming calls handed to the page
// with their headers. The supervisor page uses it; the agent console has its own copy of this
// logic today and may move onto it. The page gives the credentials (from its session API):
//
//   const phone = ccPhone.create({ sip, audio, onStatus(status), onIncoming(call), log });
//   phone.start();   // register; JsSIP reconnects and registers again after a drop
//   call.header("X-CC-Supervise"), call.answerAfter(), call.answer(), call.hangup(), call.mute(on)
//   call.on("confirmed" | "ended", fn)
(function () {
  "use strict";

  function header(request, name) {
    const v = request && request.getHeader(name);
    return v === undefined || v === null ? "" : String(v);
  }

  // "Call-Info: <...>;answer-after=0", the auto-answer convention desk phones read: seconds, or null.
  function answerAfter(request) {
    const m = /answer-after\s*=\s*(\d+)/i.exec(header(request, "Call-Info"));
    return m ? Number(m[1]) : null;
  }

  function wrap(session, request, audio, log) {
    const handlers = { confirmed: [], ended: [] };
    const call = {
      session, request, ended: false, answered: false,
      header: (name) => header(request, name),
      answerAfter: () => answerAfter(request),
      answer() {
        if (call.answered || call.ended) return;
        call.answered = true;
        session.answer({ mediaConstraints: { audio: true, video: false } });
      },
      hangup() { if (!call.ended) session.terminate(); },
      mute(on) {
        if (!call.answered || call.ended) return;
        if (on) session.mute({ audio: true }); else session.unmute({ audio: true });
      },
      on(event, fn) { handlers[event].push(fn); return call; },
    };
    session.on("peerconnection", (e) => {
      e.peerconnection.addEventListener("track", (t) => {
        audio.srcObject = t.streams[0];
        // The page was clicked before (the button that asked pbx for this call): playing is allowed.
        const played = audio.play();
        if (played && played.catch) played.catch((err) => log("audio: " + err.message));
      });
    });
    session.on("confirmed", () => handlers.confirmed.forEach((fn) => fn(call)));
    const finish = (e) => {
      if (call.ended) return;
      call.ended = true;
      log("call ended: " + ((e && e.cause) || ""));
      handlers.ended.forEach((fn) => fn(call, (e && e.cause) || ""));
    };
    session.on("ended", finish);
    session.on("failed", finish);
    return call;
  }

  function create(options) {
    const log = options.log || ((msg) => console.log("[phone] " + msg));
    const phone = { ua: null, registered: false, status: "not started" };
    const status = (s) => { phone.status = s; if (options.onStatus) options.onStatus(s); };

    phone.start = function () {
      if (phone.ua) { if (!phone.registered) phone.ua.register(); return; }
      const sip = options.sip;
      const ua = (phone.ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(sip.ws_url)], uri: sip.uri,
        authorization_user: sip.authorization_user, password: sip.password, display_name: sip.display_name,
        register: true, session_timers: false, register_expires: 120,
      }));
      ua.on("connected", () => status(phone.registered ? "registered" : "connected"));
      ua.on("disconnected", () => { phone.registered = false; status("disconnected (reconnecting)"); });
      ua.on("registered", () => { phone.registered = true; status("registered"); log("registered"); });
      ua.on("unregistered", () => { phone.registered = false; status("unregistered"); });
      ua.on("registrationFailed", (e) => { phone.registered = false; status("registration failed: " + e.cause); });
      ua.on("newRTCSession", (e) => {
        if (e.originator !== "remote") return;
        const call = wrap(e.session, e.request, options.audio, log);
        log("incoming " + (call.header("X-CC-Supervise") || e.request.call_id));
        if (options.onIncoming) options.onIncoming(call);
        else e.session.terminate({ status_code: 486 });
      });
      status("connecting");
      ua.start();
    };

    phone.stop = function () { if (phone.ua) phone.ua.stop(); phone.registered = false; status("stopped"); };
    return phone;
  }

  window.ccPhone = { create, header, answerAfter };
})();

// The softphone: a JsSIP UA registered to Asterisk over SIP-over-WebSocket.
//
// Registration state as the agent sees it, kept true by following JsSIP's own events:
// "connecting", "connected, registering", "registered", "reconnecting in N s" (the socket
// dropped: JsSIP reconnects by itself and, once connected, REGISTERs again), "registration
// failed: <cause>", "not registered" (logged out).
//
// Queue membership goes through the dialplan: the phone calls cc-pause / cc-unpause (never
// answered) and Asterisk pauses or unpauses this endpoint in every queue, rejecting the call
// with 603 when done. The call in hand: answer (with the chosen microphone), hang up, mute, hold.
(function (CC) {
  "use strict";
  const { log } = CC.util;

  // JsSIP waits a random time before reconnecting and never says how long; the phone picks the
  // delay itself (doubling from 2 s to 30 s) and hands it to JsSIP's transport as both bounds,
  // so the countdown shown is the real one.
  const RETRY_FIRST_S = 2;
  const RETRY_MAX_S = 30;

  class Phone {
    constructor(sip, { onStatus, onIncoming, onRegistered }) {
      this.sip = sip;
      this.onStatus = onStatus; // (text, kind: "ok" | "busy" | "bad" | "idle")
      this.onIncoming = onIncoming; // (session, request)
      this.onRegistered = onRegistered;
      this.ua = null;
      this.registered = false;
      this.wanted = false; // registered is what the agent's state asks for
      this.retries = 0;
      this.countdown = null;
      this.queueState = ""; // the last pause/unpause Asterisk confirmed ("pause:reason" | "unpause")
    }

    status(text, kind) { this.status_ = text; this.onStatus(text, kind); }

    start() {
      this.wanted = true;
      if (this.ua) { if (!this.registered) { this.status("registering", "busy"); this.ua.register(); } return; }
      const ua = (this.ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(this.sip.ws_url)], uri: this.sip.uri,
        authorization_user: this.sip.authorization_user, password: this.sip.password,
        display_name: this.sip.display_name, register: true, session_timers: false, register_expires: 120,
        connection_recovery_min_interval: RETRY_FIRST_S, connection_recovery_max_interval: RETRY_FIRST_S,
      }));
      ua.on("connecting", () => { this._stopCountdown(); this.status("connecting", "busy"); });
      ua.on("connected", () => {
        this.retries = 0;
        this._stopCountdown();
        log("connected");
        this.status(this.wanted ? "connected, registering" : "connected", "busy");
      });
      ua.on("disconnected", () => this._dropped());
      ua.on("registered", () => {
        this.registered = true;
        this.queueState = ""; // Asterisk may have restarted (members start unpaused): say it again
        this.status("registered", "ok");
        log("registered");
        this.onRegistered();
      });
      ua.on("unregistered", () => {
        this.registered = false;
        this.queueState = "";
        log("unregistered");
        // After a dropped socket JsSIP says "unregistered" too: the reconnect countdown is the truth then.
        if (ua.isConnected()) this.status(this.wanted ? "unregistered" : "not registered", "idle");
      });
      ua.on("registrationFailed", (e) => {
        this.registered = false;
        log("registrationFailed " + e.cause);
        if (ua.isConnected()) this.status("registration failed: " + e.cause, "bad");
      });
      ua.on("newRTCSession", (e) => { if (e.originator === "remote") this.onIncoming(e.session, e.request); });
      this.status("connecting", "busy");
      ua.start();
    }

    stop() {
      this.wanted = false;
      if (this.ua && this.registered) this.ua.unregister();
      else this.status("not registered", "idle");
    }

    _dropped() {
      this.registered = false;
      this.queueState = "";
      const delay = Math.min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** this.retries);
      this.retries += 1;
      // Read by JsSIP's transport right after this event, when it schedules the next attempt.
      const transport = this.ua && this.ua._transport;
      if (transport && transport.recovery_options) {
        transport.recovery_options = { min_interval: delay, max_interval: delay };
        this._startCountdown(delay);
      } else {
        this.status("reconnecting", "bad");
      }
      log("disconnected; reconnecting in " + delay + " s");
    }

    _startCountdown(seconds) {
      this._stopCountdown();
      const until = Date.now() + seconds * 1000;
      const tick = () => {
        const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
        this.status("reconnecting in " + left + " s", "bad");
      };
      tick();
      this.countdown = setInterval(tick, 250);
    }

    _stopCountdown() { if (this.countdown) { clearInterval(this.countdown); this.countdown = null; } }

    // ------------------------------------------------------------ queue membership

    // Pause (with a reason Asterisk shows in `queue show`) or unpause this endpoint in its queues.
    // One at a time, in the order asked; asked again for what Asterisk already confirmed, it does
    // nothing (the server's answer and its push may both ask for the same change).
    queue(action, reason) {
      const run = () => this._queueNow(action, reason);
      this.queueChain = (this.queueChain || Promise.resolve()).catch(() => {}).then(run);
      return this.queueChain;
    }

    _queueNow(action, reason) {
      if (!action) return Promise.resolve("none");
      if (!this.registered) return Promise.resolve("not registered");
      const word = String(reason || "console").replace(/[^0-9A-Za-z_]/g, "_").slice(0, 40);
      const key = action === "pause" ? "pause:" + word : "unpause";
      if (key === this.queueState) return Promise.resolve("already " + action + "d");
      const target = action === "pause" ? this.sip.pause_uri : this.sip.unpause_uri;
      return new Promise((resolve, reject) => {
        this.ua.call(target, {
          mediaConstraints: { audio: false, video: false },
          rtcOfferConstraints: { offerToReceiveAudio: true },
          extraHeaders: ["X-CC-Pause-Reason: " + word],
          eventHandlers: {
            failed: (e) => {
              const code = e.message && e.message.status_code;
              log(action + " -> " + (code || e.cause));
              if (code === 603) { this.queueState = key; resolve(action); }
              else reject(new Error(action + " failed: " + (code || e.cause)));
            },
            confirmed: () => reject(new Error(action + ": unexpected answer")),
          },
        });
      });
    }

    // What the queue should say for an agent state; states pbx or Asterisk hold (ringing, on
    // call, reserved) are theirs.
    queueFor(state, reason) {
      if (state === "available") return this.queue("unpause");
      if (state === "paused") return this.queue("pause", reason || "paused");
      if (state === "wrap_up") return this.queue("pause", "wrap_up");
      if (state === "offline") return this.queue("pause", "offline");
      return Promise.resolve("none");
    }
  }

  // ------------------------------------------------------------ the call in hand

  function answer(session) {
    session.answer({ mediaConstraints: { audio: CC.devices.micConstraints(), video: false } });
  }

  function toggleMute(session) {
    if (session.isMuted().audio) session.unmute({ audio: true }); else session.mute({ audio: true });
    return session.isMuted().audio;
  }

  // Resolves with the new hold state once Asterisk accepted the re-INVITE.
  function toggleHold(session) {
    return new Promise((resolve, reject) => {
      const held = session.isOnHold().local;
      const done = () => resolve(!held);
      const ok = held ? session.unhold({}, done) : session.hold({}, done);
      if (!ok) reject(new Error(held ? "cannot resume now" : "cannot hold now"));
    });
  }

  CC.Phone = Phone;
  CC.call = { answer, toggleMute, toggleHold };
})(window.CC = window.CC || {});

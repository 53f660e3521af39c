// Microphone, speaker and ringer: chosen from enumerateDevices() in the Devices dialog, kept in
// localStorage, and applied: the microphone's deviceId goes into the call's getUserMedia
// constraints, the speaker and the ringer are setSinkId() on the call's and the ring's <audio>.
(function (CC) {
  "use strict";
  const { $, el, log } = CC.util;
  const KEY = "cc.console.devices";

  function stored() {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (_) { return {}; }
  }

  let choice = stored(); // { mic, speaker, ring }: deviceIds, "" or absent for the system default
  let known = { audioinput: [], audiooutput: [] };
  let outputs = { speaker: null, ring: null };

  const note = (text) => { $("devices-note").textContent = text; };

  async function list() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    known = { audioinput: all.filter((d) => d.kind === "audioinput" && d.deviceId),
              audiooutput: all.filter((d) => d.kind === "audiooutput" && d.deviceId) };
  }

  // Names (and in Chrome the outputs) are listed only once the page may use the microphone.
  async function permit() {
    if (known.audioinput.some((d) => d.label)) return;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((t) => t.stop());
    } catch (err) { note("The browser gives no microphone: " + err.name); }
    await list();
  }

  // One change at a time per element (Chrome aborts a setSinkId started while another runs).
  const sinking = new Map();
  function sink(audio, id) {
    if (!audio) return Promise.resolve();
    if (typeof audio.setSinkId !== "function") { if (id) note("This browser cannot choose an output device."); return Promise.resolve(); }
    const run = async () => {
      const target = id && known.audiooutput.some((d) => d.deviceId === id) ? id : "";
      // Chrome aborts a switch when the element's media changes meanwhile (a call's audio arriving):
      // try again a few times before saying so.
      for (let attempt = 1; attempt <= 4 && audio.sinkId !== target; attempt += 1) {
        try { await audio.setSinkId(target); } catch (err) {
          if (err.name === "AbortError" && attempt < 4) { await new Promise((r) => setTimeout(r, 200)); continue; }
          log("setSinkId " + audio.id + " failed: " + err.name);
          note("Could not use that output: " + err.name);
          return;
        }
      }
    };
    const next = (sinking.get(audio) || Promise.resolve()).then(run);
    sinking.set(audio, next);
    return next;
  }

  const apply = () => Promise.all([sink(outputs.speaker, choice.speaker), sink(outputs.ring, choice.ring)]);

  // For the call's getUserMedia: the chosen microphone exactly while it is plugged in, else a wish.
  function micConstraints() {
    if (!choice.mic) return true;
    const present = known.audioinput.some((d) => d.deviceId === choice.mic);
    return { deviceId: present ? { exact: choice.mic } : { ideal: choice.mic } };
  }

  function fill(select, devices, current) {
    select.replaceChildren(new Option("System default", ""),
      ...devices.map((d, i) => new Option(d.label || d.kind + " " + (i + 1), d.deviceId)));
    select.value = devices.some((d) => d.deviceId === current) ? current : "";
  }

  async function save() {
    choice = { mic: $("device-mic").value, speaker: $("device-speaker").value, ring: $("device-ring").value };
    localStorage.setItem(KEY, JSON.stringify(choice));
    log("devices " + JSON.stringify(choice));
    await apply();
  }

  async function open() {
    await permit();
    fill($("device-mic"), known.audioinput, choice.mic);
    fill($("device-speaker"), known.audiooutput, choice.speaker);
    fill($("device-ring"), known.audiooutput, choice.ring);
    if (!known.audiooutput.length) note("This browser lists no output devices: the system's is used.");
    $("devices").showModal();
  }

  async function init(speakerAudio, ringAudio) {
    outputs = { speaker: speakerAudio, ring: ringAudio };
    await list();
    if (known.audioinput.some((d) => d.label)) await apply();  // outputs are listed: apply the choice now
    if (navigator.mediaDevices) {
      navigator.mediaDevices.addEventListener("devicechange", () => list().then(apply));
    }
    $("devices-open").addEventListener("click", () => open().catch((err) => log("devices: " + err.message)));
    ["device-mic", "device-speaker", "device-ring"].forEach((id) => $(id).addEventListener("change", save));
  }

  // The call asked for the microphone: the outputs are listed now, so the saved choice can apply.
  const permitted = () => list().then(apply);

  CC.devices = { init, micConstraints, permitted, apply, open, choice: () => ({ ...choice }) };
})(window.CC = window.CC || {});

// Keyboard shortcuts for the call's controls: Alt+A answer, Alt+H hang up, Alt+M mute, Alt+O
// hold (shown on the buttons). Not while typing in a field (the disposition's note), where
// Alt+letters may be characters. Keys by physical position (event.code), so any layout works.
(function (CC) {
  "use strict";
  const KEYS = { KeyA: "answer", KeyH: "hangup", KeyM: "mute", KeyO: "hold" };

  function typing(target) {
    if (!target || !target.tagName) return false;
    const tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function init() {
    document.addEventListener("keydown", (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.repeat) return;
      const id = KEYS[e.code];
      if (!id || typing(e.target)) return;
      const button = document.getElementById(id);
      e.preventDefault();
      if (button && !button.disabled) { CC.util.log("shortcut " + id); button.click(); }
    });
  }

  CC.shortcuts = { init, KEYS };
})(window.CC = window.CC || {});

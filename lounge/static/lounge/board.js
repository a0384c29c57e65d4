// The lounge board: clocks that tick every second between the board's polls, a pause of the
// polling while an attendant has a drink menu open or an error to read, new requests highlighted
// (with an optional beep, off until turned on, remembered on the tablet).
(function () {
  "use strict";
  let offset = 0; // server time minus this device's time, so every tablet shows the same clocks

  function sync() {
    const root = document.getElementById("board-live");
    if (root && root.dataset.now) offset = Number(root.dataset.now) - Date.now();
  }

  function text(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const x = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + x : m + ":" + x;
  }

  function tick() {
    const now = Date.now() + offset;
    document.querySelectorAll("[data-clock]").forEach(function (el) {
      const at = Number(el.dataset.at);
      let overdue;
      if (el.dataset.clock === "due") {
        el.textContent = text(Math.abs(at - now) / 1000);
        overdue = now > at;
      } else {
        el.textContent = text((now - at) / 1000);
        overdue = el.dataset.due ? now > Number(el.dataset.due) : false;
      }
      el.classList.toggle("text-danger", overdue);
      el.classList.toggle("fw-bold", overdue);
      const box = el.closest("[data-clock-box]");
      if (box) box.classList.toggle("overdue", overdue);
    });
  }

  // Polled by board_live.html: skip a poll while a drink menu is open or an error is shown. (Here, not
  // as an hx-trigger filter: htmx runs those with eval, which the Content-Security-Policy forbids.)
  function idle() {
    return !document.querySelector("#board-live details[open], #board-live [data-board-error]");
  }
  window.loungeBoardIdle = idle;
  document.addEventListener("htmx:confirm", function (event) {
    const poll = event.detail.elt && event.detail.elt.id === "board-live" && !event.detail.triggeringEvent;
    if (poll && !idle()) event.preventDefault();
  });
  // A request's "on my way" / "done" form (data-board-refresh): the board reloads once it is sent.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.closest("[data-board-refresh]") && window.htmx) {
      window.htmx.trigger("#board-live", "refresh");
    }
  });

  // New requests: the ones that were not on the board before (not on the first load) stay highlighted
  // for a minute, newest first (the server's order), with a beep when the attendant turned the sound on.
  const NEW_FOR_MS = 60000;
  const SOUND_KEY = "aftersales.lounge.sound";
  const firstSeen = new Map(); // request id -> when this board first showed it
  let loaded = false;
  let audio = null;

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }

  function beep() {
    const board = document.querySelector("[data-testid=lounge-board]");
    if (board) board.dataset.beeps = String(Number(board.dataset.beeps || 0) + 1);
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      [0, 0.25].forEach(function (start) { // two short tones, like a desk bell
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + start + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + 0.22);
      });
    } catch (e) { /* no sound on this device: the highlight is enough */ }
  }

  function markNew() {
    const now = Date.now();
    let fresh = 0;
    document.querySelectorAll("#board-live [data-request]").forEach(function (el) {
      const id = el.dataset.request;
      if (!firstSeen.has(id)) {
        firstSeen.set(id, loaded ? now : 0);
        if (loaded) fresh += 1;
      }
      const isNew = now - firstSeen.get(id) < NEW_FOR_MS;
      el.classList.toggle("request-new", isNew);
      el.dataset.new = isNew ? "yes" : "no";
    });
    loaded = true;
    if (fresh && soundOn()) beep();
  }

  function showSound() {
    const button = document.querySelector("[data-board-sound]");
    if (!button) return;
    const on = soundOn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.classList.toggle("active", on);
    button.querySelector("i").className = on ? "bi bi-volume-up" : "bi bi-volume-mute";
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-board-sound]");
    if (!button) return;
    try { window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on"); } catch (e) { return; }
    showSound();
    if (soundOn()) beep(); // a tap is the gesture the browser wants before it plays sound; it also tests it
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    sync();
    tick();
    markNew();
    const error = document.querySelector("#board-live [data-board-error]");
    if (error) setTimeout(function () { error.remove(); }, 15000);
  });
  document.addEventListener("DOMContentLoaded", function () { sync(); tick(); markNew(); showSound(); });
  setInterval(tick, 1000);
})();

// The lounge board: clocks that tick every second between the board's polls, and a pause of the
// polling while an attendant has a drink menu open or an error to read.
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

  document.addEventListener("htmx:afterSettle", function (event) {
    sync();
    tick();
    const error = document.querySelector("#board-live [data-board-error]");
    if (error) setTimeout(function () { error.remove(); }, 15000);
  });
  document.addEventListener("DOMContentLoaded", function () { sync(); tick(); });
  setInterval(tick, 1000);
})();

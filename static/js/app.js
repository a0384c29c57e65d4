// aftersales: small behaviours on top of htmx and Bootstrap.
document.addEventListener("keydown", function (event) {
  // "/" focuses the search box, as in most tools; Escape closes the results.
  const box = document.getElementById("global-search");
  if (!box) return;
  if (event.key === "/" && document.activeElement.tagName !== "INPUT" && document.activeElement.tagName !== "TEXTAREA") {
    event.preventDefault();
    box.focus();
  } else if (event.key === "Escape" && document.activeElement === box) {
    document.getElementById("search-results").innerHTML = "";
  }
});
document.addEventListener("click", function (event) {
  const results = document.getElementById("search-results");
  if (results && !event.target.closest(".search-wrap")) results.innerHTML = "";
});
// Filters fold away on a phone (the "筛选" toggle) unless the page is already filtered; on wider
// screens the toggle is hidden and the filters stay open.
function foldFilters(root) {
  if (!window.matchMedia("(max-width: 767.98px)").matches) return;
  root.querySelectorAll("details.filter-fold:not([data-active])").forEach(function (fold) {
    fold.removeAttribute("open");
  });
}
document.addEventListener("DOMContentLoaded", function () { foldFilters(document); });

// Behaviours the templates ask for with data- attributes, instead of inline handlers (which the
// Content-Security-Policy forbids: script-src 'self', no inline script, no eval).
document.addEventListener("change", function (event) {
  // <select data-autosubmit>: choosing sends the form (a store picker)
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("submit", function (event) {
  // <form data-confirm="question">: ask first
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", function (event) {
  // <button data-print>: print the page
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("focusin", function (event) {
  // the search box, on focus with text in it, shows its results again (hx-trigger "search-again")
  const box = event.target;
  if (box.id === "global-search" && box.value.length > 0 && window.htmx) window.htmx.trigger(box, "search-again");
});
// A check item's limits and unit matter only for a measured item: shown only then.
function syncItemKinds(root) {
  (root || document).querySelectorAll("[data-testid=item-limits]").forEach(function (limits) {
    const form = limits.closest("form");
    const kind = form && form.querySelector("[name=kind]");
    if (kind) limits.classList.toggle("d-none", kind.value !== "measured");
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("[name=kind]")) syncItemKinds(event.target.form);
});
document.addEventListener("DOMContentLoaded", function () { syncItemKinds(); });
document.addEventListener("htmx:afterSettle", function (event) { syncItemKinds(event.target); });

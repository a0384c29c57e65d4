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

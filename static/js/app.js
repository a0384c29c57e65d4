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

// A check round on a phone: each item's verdict as it is answered, and the count answered.
(function () {
  const form = document.getElementById("round-form");
  if (!form) return;
  const failText = form.dataset.failText;
  const passText = form.dataset.passText;
  function verdict(item) {
    if (item.dataset.kind === "measured") {
      const input = item.querySelector("[data-testid=value]");
      if (input.value === "") return null;
      const v = parseFloat(input.value);
      if (isNaN(v)) return null;
      const min = item.dataset.min === "" ? null : parseFloat(item.dataset.min);
      const max = item.dataset.max === "" ? null : parseFloat(item.dataset.max);
      return !((min !== null && v < min) || (max !== null && v > max));
    }
    const chosen = item.querySelector("input.btn-check:checked");
    return chosen ? chosen.value === "1" : null;
  }
  function refresh() {
    let answered = 0;
    form.querySelectorAll("[data-testid=check-item]").forEach(function (item) {
      const ok = verdict(item);
      if (ok !== null) answered += 1;
      item.classList.toggle("is-failed", ok === false);
      item.classList.toggle("is-passed", ok === true);
      const note = item.querySelector(".photo-required");
      if (note) note.classList.toggle("d-none", ok !== false);
      const fault = item.querySelector(".fault-link");
      if (fault) fault.classList.toggle("d-none", ok !== false);
      const box = item.querySelector("[data-testid=verdict]");
      if (box) {
        box.textContent = ok === null ? "" : (ok ? passText : failText);
        box.className = "small mt-1 " + (ok === false ? "text-danger fw-semibold" : "text-success");
      }
      if (ok === false) item.querySelector("details").open = true;
    });
    document.getElementById("answered").textContent = answered;
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();

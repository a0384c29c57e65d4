// The call console: script tabs (1–8), Escape to the number, Ctrl+Enter saves, focus after the caller card.
(function () {
  function showScript(n) {
    var tabs = document.querySelectorAll('[data-script-key]');
    tabs.forEach(function (el) { el.classList.toggle('d-none', el.dataset.scriptKey !== String(n)); });
    document.querySelectorAll('[data-script-tab]').forEach(function (el) { el.classList.toggle('active', el.dataset.scriptTab === String(n)); });
  }
  window.phoneShowScript = showScript;
  document.addEventListener('click', function (e) {  // a script tab
    var tab = e.target.closest('[data-script-tab]');
    if (tab) { showScript(tab.dataset.scriptTab); }
  });
  document.addEventListener('keydown', function (e) {
    var typing = e.target.matches('input, textarea, select');
    var m = /^Digit([1-8])$/.exec(e.code || '');
    if (m && (e.altKey || (!typing && !e.ctrlKey && !e.metaKey))) { showScript(m[1]); e.preventDefault(); return; }
    if (e.key === 'Escape') { var f = document.getElementById('console-number'); f.focus(); f.select(); }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {  // save the call from anywhere on the console
      var form = document.querySelector('[data-testid="call-form"]');
      if (form) { e.preventDefault(); form.requestSubmit(); }
    }
  });
  function focusPurpose() {  // after the caller card: straight on to the call's purpose
    var first = document.querySelector('#call-form-box input[name="purpose"]:checked') || document.querySelector('#call-form-box input[name="purpose"]');
    if (first) { first.focus(); }
  }
  document.getElementById('caller-search').addEventListener('submit', function () {
    var v = document.getElementById('console-number').value;
    ['id_number', 'id_caller_number'].forEach(function (id) { var f = document.getElementById(id); if (f) { f.value = v; } });
  });
  document.body.addEventListener('htmx:afterSwap', function (e) {
    var card = document.getElementById('caller-card');
    if (card && card.dataset.customerName) {
      var name = document.getElementById('id_caller_name');
      if (name && !name.value) { name.value = card.dataset.customerName; }
    }
    if (e.detail.requestConfig && e.detail.requestConfig.elt && e.detail.requestConfig.elt.id === 'caller-search') { focusPurpose(); }
  });
})();

// Behaviour that used to sit in inline handlers and style attributes, which the Content-Security-Policy forbids.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action=print]");
    if (target) { event.preventDefault(); window.print(); }
  });
  function progress() {
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.dataset.progress) || 0));
      bar.style.width = value + "%";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", progress); else progress();
})();

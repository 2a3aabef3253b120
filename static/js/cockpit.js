/* The cockpit: "Select all on this page" and a count on the bulk buttons. The bulk form works
   without this file (tick the boxes one by one). */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = function () { return Array.prototype.slice.call(document.querySelectorAll(".cta-select")); };
  function refresh() {
    var chosen = boxes().filter(function (b) { return b.checked; }).length;
    all.checked = chosen > 0 && chosen === boxes().length;
    all.indeterminate = chosen > 0 && chosen < boxes().length;
    document.querySelectorAll("#bulk button[name=action]").forEach(function (button) {
      button.textContent = button.textContent.replace(/ \(\d+\)$/, "") + (chosen ? " (" + chosen + ")" : "");
    });
  }
  all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("cta-select")) refresh();
  });
  refresh();
})();

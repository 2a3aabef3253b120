// The scorecard preview's Apply: the whole segment is rescored in this request, which takes a
// while on a large segment; show that it runs and keep the button from being pressed twice.
(function () {
  var form = document.getElementById("whatif-apply");
  if (!form) return;
  form.addEventListener("submit", function () {
    document.getElementById("whatif-progress").hidden = false;
    form.querySelectorAll("input[type=submit]").forEach(function (button) {
      // Disabled after this event, so the pressed button's name still goes with the form.
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();

// The Import run page: follow the run until it finishes, then reload once to show the result.
(function () {
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") return;
  var timer = setInterval(function () {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("import-bar").value = s.percent;
        document.getElementById("import-label").textContent = s.label;
        if (s.finished) { clearInterval(timer); window.location.reload(); }
      });
  }, 1000);
})();

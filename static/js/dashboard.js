// Risk dashboard: export the CSV with a visible "Preparing…" state while it downloads.
// Without JavaScript the button is a plain link to the same streamed CSV.
(function () {
  "use strict";
  var link = document.querySelector("[data-export]");
  var status = document.getElementById("export-status");
  if (!link || !status || !window.fetch || !window.ReadableStream || !window.URL) return;

  function filenameOf(response) {
    var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : "risk-dashboard.csv";
  }

  function size(bytes) {
    return bytes < 1048576 ? Math.round(bytes / 1024) + " kB" : (bytes / 1048576).toFixed(1) + " MB";
  }

  link.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") return;
    var label = link.textContent;
    link.setAttribute("aria-disabled", "true");
    link.textContent = "Preparing…";
    status.textContent = "Preparing the CSV export…";
    var received = 0;
    var chunks = [];
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text || response.statusText); });
        }
        var reader = response.body.getReader();
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) return filenameOf(response);
            chunks.push(step.value);
            received += step.value.length;
            link.textContent = "Preparing… " + size(received);
            return pump();
          });
        }
        return pump();
      })
      .then(function (filename) {
        var url = URL.createObjectURL(new Blob(chunks, { type: "text/csv" }));
        var save = document.createElement("a");
        save.href = url;
        save.download = filename;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        status.textContent = "Exported " + filename + " (" + size(received) + ").";
      })
      .catch(function (error) {
        status.textContent = "The export failed: " + error.message;
      })
      .finally(function () {
        link.textContent = label;
        link.removeAttribute("aria-disabled");
      });
  });
})();

/* Healthscore: small progressive enhancements. Every form also works without this file. */
(function () {
  "use strict";

  // Plain forms marked data-busy: show "Saving…" and block double submits while the page loads.
  // htmx forms (hx-post) get the same look from htmx's own htmx-request class instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy") || form.hasAttribute("hx-post") || event.defaultPrevented) return;
    form.classList.add("is-busy");
    form.setAttribute("aria-busy", "true");
    // Disable after the browser has collected the form data, so the submitter still counts.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Back/forward cache: a page restored after a submit must not keep its buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-busy").forEach(function (form) {
      form.classList.remove("is-busy");
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  // Phones: the header's navigation folds behind a "Menu" button (the CSS hides it only once
  // this script has marked the header, so without JavaScript every link stays visible).
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    var topbar = toggle.closest(".topbar");
    topbar.classList.add("js-menu");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = topbar.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Escape closes the inline editor it is typed in (My accounts' "Update" panel) and puts the
  // focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var details = event.target.closest ? event.target.closest("details[open]") : null;
    if (!details) return;
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  });

  function announce(text) {
    var live = document.getElementById("live-status");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // After htmx swapped a row in: announce what happened (a polite live region that was already
  // on the page, so screen readers hear it) and move focus where the keyboard user needs it.
  document.addEventListener("htmx:afterSettle", function () {
    var said = document.querySelector("[data-announce]");
    if (said) {
      announce(said.getAttribute("data-announce"));
      said.removeAttribute("data-announce");
    }
    var target = document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.removeAttribute("data-focus-after-swap");
      target.focus();
    }
  });

  // A request htmx could not complete (403, 500, network): say so next to the form.
  function failed(event, text) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    var slot = form ? form.querySelector(".request-error") : null;
    if (slot) slot.textContent = text;
    announce(text);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    failed(event, "Not saved: the server answered " + status + ". Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    failed(event, "Not saved: the server could not be reached. Check your connection and try again.");
  });

  // A session that expired mid-page: htmx followed the redirect to the login page. Go there
  // for real instead of pasting the login form into a table row.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr && event.detail.xhr.responseURL;
    if (url && url.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });
})();

// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Ask before a destructive POST (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // After a failed submit, move focus to the error summary so it is read first; its links
  // move focus to the field itself (the browser alone only scrolls to it).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      (legend || label || field).scrollIntoView();
      field.focus({preventScroll: true});
    });
  });

  // "Select all" on a list of checkboxes (#select-all, hidden without script): ticks or clears
  // every box of its form, and shows "some" when only some are ticked.
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    var form = all && all.form;
    if (!form) { return; }
    var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
    all.hidden = false;
    function update() {
      var ticked = 0;
      for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { ticked++; } }
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
      update();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all) { update(); }
    });
    update();
  });

  // The region comes from the country: show its list only for a country no region holds
  // (without script it is always shown, with its help); kept open while it has a value or
  // an error.
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("region_id");
    var country = document.getElementById("country");
    var field = region && region.closest(".field");
    if (!field || !country || !region.hasAttribute("data-countries-without-region")) { return; }
    var unplaced = region.getAttribute("data-countries-without-region").split(" ");
    var keep = (region.value && region.value !== "0") || field.classList.contains("has-error");
    function update() {
      field.hidden = !keep && unplaced.indexOf(country.value) === -1;
    }
    country.addEventListener("change", update);
    update();
  });

  // Pre-select the browser's time zone in an empty time zone list.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("timezone");
    if (!select || select.value || !window.Intl) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
    }
  });

  // Show the box for a gender in one's own words only once that answer is chosen (without
  // script it is always shown); it stays open while it holds words or an error.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("gender_self_described");
    var field = box && box.closest(".field");
    if (!field) { return; }
    var keep = box.value || field.classList.contains("has-error");
    function update() {
      var chosen = document.querySelector('input[name="gender"]:checked');
      field.hidden = !keep && !(chosen && chosen.value === "self_described");
    }
    var answers = document.querySelectorAll('input[name="gender"]');
    for (var i = 0; i < answers.length; i++) {
      answers[i].addEventListener("change", function () { keep = false; update(); });
    }
    update();
  });
  // A background job's page: while the job runs, fetch the page again every few seconds and
  // put its new state in place (without script, the page has a "Refresh" link).
  document.addEventListener("DOMContentLoaded", function () {
    var job = document.getElementById("job");
    if (!job || !job.hasAttribute("data-refresh") || !window.fetch || !window.DOMParser) {
      return;
    }
    var delay = parseInt(job.getAttribute("data-refresh"), 10) || 2000;
    function poll() {
      window.fetch(window.location.href, {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (text) {
          var fresh = text && new DOMParser().parseFromString(text, "text/html")
            .getElementById("job");
          if (!fresh) { window.setTimeout(poll, delay * 2); return; }
          job.innerHTML = fresh.innerHTML;
          job.setAttribute("aria-busy", fresh.getAttribute("aria-busy") || "false");
          if (fresh.hasAttribute("data-refresh")) {
            window.setTimeout(poll, delay);
          } else {
            job.removeAttribute("data-refresh");
          }
        })
        .catch(function () { window.setTimeout(poll, delay * 2); });
    }
    window.setTimeout(poll, delay);
  });

  // A table wider than its screen scrolls inside itself: let the keyboard reach it too (a
  // focusable region named after its caption or heading).
  function focusableScrollers() {
    var tables = document.querySelectorAll(".table, .table-scroll");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);

  // On a narrow screen the tab bar scrolls: bring the current tab into its view.
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector(".tabs [aria-current=page]");
    var bar = current && current.closest("ul");
    if (!bar || bar.scrollWidth <= bar.clientWidth) { return; }
    var barBox = bar.getBoundingClientRect();
    var tabBox = current.getBoundingClientRect();
    bar.scrollLeft += (tabBox.left + tabBox.width / 2) - (barBox.left + barBox.width / 2);
  });

  // A mentee's wishes: giving a mentor a rank another one holds swaps their ranks, so the
  // form never holds the same rank twice (without script the server asks for different ranks).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("ol.wishes select[name=rank]")) { return; }
    var before = select.getAttribute("data-rank");
    if (before && before !== "remove" && select.value !== "remove") {
      select.closest("ol").querySelectorAll("select[name=rank]").forEach(function (other) {
        if (other !== select && other.value === select.value) {
          other.value = before;
          other.setAttribute("data-rank", before);
        }
      });
    }
    select.setAttribute("data-rank", select.value);
  });

  // The language menu closes with Escape or a click elsewhere, like other menus.
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector(".languages details");
    if (!menu) { return; }
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });


  // "Print or save as PDF" opens the browser's print dialog (its PDF printer saves a file);
  // without script the button would do nothing, so it stays hidden until here.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });

})();

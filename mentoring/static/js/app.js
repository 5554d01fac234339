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

  // Pre-select the browser's time zone in an empty time zone list.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("timezone");
    if (!select || select.value || !window.Intl) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; break; }
    }
  });
})();

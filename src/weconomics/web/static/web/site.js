// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Show the main menu open on wide screens; on phones it stays a disclosure.
  var menu = document.querySelector(".site-header details.menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48rem)");
    var sync = function () { menu.open = wide.matches; };
    sync();
    wide.addEventListener("change", sync);
  }
  // Submit the language form as soon as another language is chosen.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();

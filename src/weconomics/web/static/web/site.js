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
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();

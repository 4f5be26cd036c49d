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
  // A file over the upload limit: say so beside the field and keep the form from sending
  // it (the server would refuse the whole request with a bare 413 page).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.getAttribute("data-max-bytes"));
      var big = Array.prototype.some.call(input.files || [], function (file) {
        return file.size > max;
      });
      var field = input.closest(".field") || input.parentNode;
      var old = field.querySelector(".errors[data-size-check]");
      if (old) {
        old.remove();
        if (!field.querySelector(".errors")) { field.classList.remove("has-errors"); }
      }
      input.setCustomValidity(big ? input.getAttribute("data-too-large") : "");
      if (big) {
        var note = document.createElement("div");
        note.className = "errors";
        note.setAttribute("role", "alert");
        note.setAttribute("data-size-check", "");
        note.textContent = input.getAttribute("data-too-large");
        field.appendChild(note);
        field.classList.add("has-errors");
      }
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();

// Conversation pages: show a refused message's errors in place, keep the newest in view.
(function () {
  "use strict";
  // htmx leaves 4xx answers unswapped; a 422 carries the form with its errors.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  var thread = document.getElementById("thread");
  if (!thread) { return; }
  var latest = function () {
    var last = thread.lastElementChild;
    if (last && !window.location.search.match(/before=/)) {
      last.scrollIntoView({ block: "nearest" });
    }
  };
  latest();
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === thread) {
      latest();
      var box = document.querySelector("#send-form textarea");
      if (box) { box.focus(); }
    }
  });
})();

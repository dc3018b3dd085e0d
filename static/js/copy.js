// Copy buttons: a button with data-copy="<id>" copies that field's text and says so for a
// moment. Without this script the buttons stay hidden and the fields can be selected by hand
// (data-select-all selects the whole text on focus).
(function () {
  function reveal(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-copy][hidden]"), function (b) {
      if (navigator.clipboard || document.queryCommandSupported("copy")) b.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-all]")) event.target.select();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    function done() {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 1600);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select(); document.execCommand("copy"); done();
      });
    } else {
      field.select(); document.execCommand("copy"); done();
    }
  });
})();

// The weekly hours editor: add and remove intervals in place, and copy Monday to other days.
// Without this script the form still works: every day shows its intervals and one empty row,
// and "Copy Monday to ..." are submit buttons the server answers.
(function () {
  var form = document.querySelector("[data-hours-editor]");
  if (!form) return;
  var TARGETS = { weekdays: ["tuesday", "wednesday", "thursday", "friday"],
                  all: ["tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] };

  function rows(day) { return Array.prototype.slice.call(day.querySelectorAll(".hours-row")); }
  function inputs(row) { return row.querySelectorAll("input"); }
  function filled(row) {
    return Array.prototype.some.call(inputs(row), function (i) { return i.value !== ""; });
  }

  function refresh(day) {
    var all = rows(day);
    var shown = all.filter(function (r) { return !r.hidden; });
    if (!shown.length) { all[0].hidden = false; shown = [all[0]]; }
    shown.forEach(function (row) {
      row.querySelector("[data-hours-remove]").hidden = shown.length < 2 && !filled(row);
    });
    day.querySelector("[data-hours-add]").hidden = shown.length === all.length;
  }

  function dayOf(key) { return form.querySelector('.hours-day[data-day="' + key + '"]'); }
  var days = Array.prototype.slice.call(form.querySelectorAll(".hours-day"));

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-hours-add]");
    var remove = event.target.closest("[data-hours-remove]");
    var copy = event.target.closest("[data-hours-copy]");
    if (add) {
      var day = add.closest(".hours-day");
      var next = rows(day).filter(function (r) { return r.hidden; })[0];
      if (next) { next.hidden = false; inputs(next)[0].focus(); }
      refresh(day);
    } else if (remove) {
      var row = remove.closest(".hours-row");
      var owner = row.closest(".hours-day");
      Array.prototype.forEach.call(inputs(row), function (i) { i.value = ""; });
      if (rows(owner).filter(function (r) { return !r.hidden; }).length > 1) {
        row.hidden = true;
        row.parentNode.appendChild(row);  // empty rows wait at the end
      }
      refresh(owner);
      var first = rows(owner).filter(function (r) { return !r.hidden; })[0];
      if (first) inputs(first)[0].focus();
    } else if (copy) {
      event.preventDefault();
      var source = rows(dayOf("monday"));
      (TARGETS[copy.getAttribute("data-hours-copy")] || []).forEach(function (key) {
        var target = dayOf(key);
        rows(target).forEach(function (row, n) {
          var from = inputs(source[n]), to = inputs(row);
          to[0].value = from[0].value;
          to[1].value = from[1].value;
          row.hidden = source[n].hidden;
        });
        refresh(target);
      });
      var status = form.querySelector("[data-hours-status]");
      if (status) status.textContent = status.getAttribute("data-copied");
    }
  });
  form.addEventListener("input", function (event) {
    var day = event.target.closest("[data-day].hours-day");
    if (day) refresh(day);
  });
  days.forEach(refresh);
})();

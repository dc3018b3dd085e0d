// Start the sign-up form on the visitor's own time zone, when the list has it.
(function () {
  var select = document.getElementById("id_time_zone");
  if (!select || !select.form.hasAttribute("data-fresh")) return;  // keep a re-shown choice
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
})();

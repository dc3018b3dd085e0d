// Sign-up: the sub-domain follows the business name until it is typed by hand, the address
// below it shows where the dashboard will be, and the country and time zone start on the
// visitor's own (the zone from the browser, its country from the zone list).
(function () {
  var form = document.querySelector("form[method=post]");
  var name = document.getElementById("id_name");
  var slug = document.getElementById("id_slug");
  var country = document.getElementById("id_country");
  var zone = document.getElementById("id_time_zone");
  var dataNode = document.getElementById("signup-zones");
  var zones = dataNode ? JSON.parse(dataNode.textContent) : { countries: {}, defaults: {} };
  if (!form) return;

  function slugify(text) {
    var s = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    s = s.replace(/&/g, " and ").replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+/, "");
    s = s.slice(0, 40).replace(/-+$/, "");
    return s;
  }

  var help = slug && slug.closest(".field") && slug.closest(".field").querySelector(".help");
  var firstHelp = help ? help.textContent : "";
  function preview() {
    if (!help) return;
    var value = slug.value.trim().toLowerCase();
    help.textContent = value
      ? slug.dataset.addressText.replace("%(address)s", value + slug.dataset.addressSuffix)
      : firstHelp;
  }

  if (name && slug) {
    var typedByHand = slug.value.trim() !== "";
    slug.addEventListener("input", function () {
      typedByHand = slug.value.trim() !== "";
      preview();
    });
    name.addEventListener("input", function () {
      if (!typedByHand) slug.value = slugify(name.value);
      preview();
    });
  }

  function zoneForCountry(code) {
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && zones.countries[browserZone] === code) return browserZone;
    return zones.defaults[code] || "";
  }
  function choose(select, value) {
    if (value && select.querySelector('option[value="' + value + '"]')) select.value = value;
  }
  if (country && zone) {
    country.addEventListener("change", function () { choose(zone, zoneForCountry(country.value)); });
    if (form.hasAttribute("data-fresh")) {  // keep a re-shown choice
      var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (browserZone && zones.countries[browserZone]) {
        choose(country, zones.countries[browserZone]);
        choose(zone, browserZone);
      }
    }
  }
})();

// Staff pages: htmx sends the CSRF token in the X-CSRFToken header (set on <body>), so the
// copy a form carries as a hidden field is dropped from every htmx request: it never ends up
// in a query string (and so in access logs and Referer headers).
document.addEventListener("htmx:configRequest", function (event) {
  var params = event.detail.parameters;
  if (params && typeof params.delete === "function") {
    params.delete("csrfmiddlewaretoken");
  } else if (params) {
    delete params.csrfmiddlewaretoken;
  }
});

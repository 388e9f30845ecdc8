/* Autocomplete for the search box: fills the <datalist> from /api/suggest.
   The form works without it; this only adds suggestions while typing. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var endpoint = input.getAttribute("data-suggest-url");
  if (!list || !endpoint) { return; }
  var timer = null;
  var lastAsked = "";

  function fill(suggestions) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    suggestions.forEach(function (s) {
      var option = document.createElement("option");
      option.value = s.value;
      option.label = s.kind === "udvalg" ? "Udvalg" : "";
      list.appendChild(option);
    });
  }

  function ask() {
    var text = input.value.trim();
    if (text.length < 2 || text === lastAsked) { return; }
    lastAsked = text;
    fetch(endpoint + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (input.value.trim() === text) { fill(data.suggestions || []); } })
      .catch(function () { /* suggestions are optional */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
}());

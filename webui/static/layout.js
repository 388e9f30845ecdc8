/* On a narrow screen the facet panel starts folded, below the results; the page works without this. */
(function () {
  "use strict";
  var panel = document.querySelector(".facet-panel");
  if (!panel || !window.matchMedia) { return; }
  if (window.matchMedia("(max-width: 50rem)").matches) { panel.removeAttribute("open"); }
  var jump = document.querySelector(".to-facets a");
  if (jump) { jump.addEventListener("click", function () { panel.setAttribute("open", ""); }); }
})();

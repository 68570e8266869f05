// Draws every chart of the page with vega-embed (SVG), in colours that follow the system's theme.
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") return;
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function theme() {
    var isDark = dark && dark.matches;
    var fg = isDark ? "#e6e6e6" : "#222222";
    var grid = isDark ? "#3a3f47" : "#e3e3e3";
    return {
      background: null,
      font: "system-ui, sans-serif",
      axis: { labelColor: fg, titleColor: fg, gridColor: grid, domainColor: grid, tickColor: grid },
      legend: { labelColor: fg, titleColor: fg, symbolBaseFillColor: fg, symbolBaseStrokeColor: fg },
      title: { color: fg },
      view: { stroke: null }
    };
  }

  function draw(el) {
    var spec = JSON.parse(document.getElementById("spec-" + el.getAttribute("data-chart")).textContent);
    spec.config = Object.assign({}, spec.config || {}, theme());
    el.removeAttribute("data-rendered");
    return vegaEmbed(el, spec, {
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false }
    }).then(function () { el.setAttribute("data-rendered", "true"); })
      .catch(function (err) { el.textContent = "The chart could not be drawn: " + err.message; el.setAttribute("data-rendered", "error"); });
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-chart]"));
  charts.forEach(draw);
  if (dark && dark.addEventListener) dark.addEventListener("change", function () { charts.forEach(draw); });
})();

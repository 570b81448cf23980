/* Charts of the monthly report from the JSON script tag the page renders (no inline JS, no CDN).
   Figures are the page's own numbers; the charts only draw them. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("report-chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var counts = data.series.filter(function (s) { return s.unit === "" || s.unit === "GBP"; });
    var pct = data.series.filter(function (s) { return s.unit === "%"; });
    function chart(id, series) {
      var canvas = document.getElementById(id);
      if (!canvas || !series.length) { return; }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: series.map(function (s) { return s.label + (s.unit ? " (" + s.unit + ")" : ""); }),
          datasets: data.labels.map(function (label, i) {
            return { label: label, data: series.map(function (s) { return s.values[i]; }) };
          })
        },
        options: { responsive: true, animation: false, plugins: { legend: { position: "bottom" } } }
      });
      canvas.dataset.drawn = "true";
    }
    chart("report-chart-counts", counts);
    chart("report-chart-availability", pct);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

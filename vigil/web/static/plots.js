// The backtest plots of /models: each figure's JSON sits beside its holder; plotly.js draws it.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("script.plot-data").forEach(function (data) {
      var holder = data.previousElementSibling;
      var figure = JSON.parse(data.textContent);
      var layout = Object.assign({}, figure.layout, { autosize: true });
      Plotly.newPlot(holder, figure.data, layout, { responsive: true, displayModeBar: false })
        .then(function () { holder.setAttribute("data-rendered", "true"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

// The world risk map: a Plotly choropleth over bundled Natural Earth outlines (no network).
(function () {
  "use strict";
  var holder = document.getElementById("map");
  var data = JSON.parse(document.getElementById("map-data").textContent);
  fetch("/geo/countries.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    var shown = geo.features.filter(function (f) { return f.id !== "ATA"; });
    var base = {
      type: "choropleth", geojson: geo, featureidkey: "id",
      locations: shown.map(function (f) { return f.id; }),
      z: shown.map(function () { return 0; }),
      text: shown.map(function (f) { return f.properties.name; }),
      hovertemplate: "<b>%{text}</b><br>No forecast<extra></extra>",
      colorscale: [[0, "#e3e7ec"], [1, "#e3e7ec"]], showscale: false,
      marker: { line: { color: "#ffffff", width: 0.5 } }
    };
    var trace = {
      type: "choropleth",
      geojson: geo,
      featureidkey: "id",
      locations: data.map(function (d) { return d.id; }),
      z: data.map(function (d) { return d.p * 100; }),
      customdata: data.map(function (d) { return [d.iso3, d.name, d.rank]; }),
      text: data.map(function (d) { return d.name; }),
      hovertemplate: "<b>%{customdata[1]}</b><br>Risk of a new mass killing: %{z:.1f}%<br>Rank %{customdata[2]}<extra></extra>",
      colorscale: [[0, "#fff5eb"], [0.15, "#fdd49e"], [0.35, "#fc8d59"], [0.65, "#d7301f"], [1, "#7f0000"]],
      zmin: 0,
      zmax: Math.max.apply(null, data.map(function (d) { return d.p * 100; })),
      marker: { line: { color: "#ffffff", width: 0.5 } },
      colorbar: { title: { text: "%", side: "right" }, thickness: 12, len: 0.6, ticksuffix: "%" }
    };
    var layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 },
      geo: { visible: false, showframe: false, bgcolor: "rgba(0,0,0,0)",
             projection: { type: "natural earth", scale: 1.18 }, center: { lon: 10, lat: 12 },
             lataxis: { range: [-58, 84] } },
      paper_bgcolor: "rgba(0,0,0,0)",
      dragmode: false
    };
    Plotly.newPlot(holder, [base, trace], layout,
      { displayModeBar: false, responsive: true, topojsonURL: "/static/geo/" }).then(function () {
      holder.setAttribute("data-rendered", "true");
    });
    holder.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (point && point.customdata) { window.location.href = "/countries/" + point.customdata[0]; }
    });
  });
})();

/* The public transparency map: the cameras in service and, where published, the area each can see, from the
   open data at /public/cameras.geojson. Settings arrive in <script type="application/json" id="public-map-data">
   so the page needs no inline script. No status is shown (it is not published). Popups are built from text
   nodes, never HTML, so nothing in the data can run as markup. Without a configured basemap, or with one that
   cannot be reached, the cameras still show, with a note. */
(function () {
  "use strict";
  var holder = document.getElementById("public-map");
  var dataNode = document.getElementById("public-map-data");
  if (!holder || !dataNode || typeof L === "undefined" || !window.valeMap) { return; }
  var settings = JSON.parse(dataNode.textContent);
  var message = document.getElementById("map-message");

  function note(text) {
    if (message) { message.textContent = text; message.hidden = false; }
  }

  var map = window.valeMap(holder, settings, note, {
    none: "No background map is configured; the cameras are shown without one.",
    unreachable: "The background map could not be reached; the cameras are shown without it."
  });

  function load(url) {
    return fetch(url, { credentials: "omit", headers: { "Accept": "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function line(box, label, value) {
    if (value === null || value === undefined || value === "") { return; }
    var row = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = label + ": ";
    row.appendChild(strong);
    row.appendChild(document.createTextNode(String(value)));
    box.appendChild(row);
  }

  function popup(p) {
    var box = document.createElement("div");
    box.className = "public-popup";
    var title = document.createElement("div");
    title.className = "public-popup-title";
    title.textContent = p.name + " (" + p.asset_ref + ")";
    box.appendChild(title);
    line(box, "Town", p.town);
    line(box, "Type", (settings.kindLabels && settings.kindLabels[p.kind]) || p.kind);
    line(box, "Run by", p.operator);
    line(box, "Purpose", p.purpose);
    line(box, "Recordings kept", p.retention_days ? p.retention_days + " days" : "");
    if (p.field_of_view_published && p.direction_deg !== null) { line(box, "Looks towards", p.direction_deg + "° from north"); }
    return box;
  }

  var bounds = L.latLngBounds([]);
  var views = load(settings.viewsUrl).then(function (collection) {
    L.geoJSON(collection, {
      style: function () { return { color: "#00617f", weight: 1, fillOpacity: 0.15, className: "public-view" }; },
      interactive: false
    }).addTo(map);
  });
  var cameras = load(settings.camerasUrl).then(function (collection) {
    var layer = L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 2, fillColor: "#00617f", fillOpacity: 1,
                                        className: "public-camera" });
      },
      onEachFeature: function (feature, marker) { marker.bindPopup(popup(feature.properties)); }
    }).addTo(map);
    if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
    holder.setAttribute("data-cameras", String(collection.features.length));
  });
  Promise.all([views, cameras]).then(function () {
    if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] }); }
    holder.setAttribute("data-loaded", "true");
  }).catch(function (error) {
    note("The cameras could not be loaded (" + error.message + "). The open data links below still work.");
    holder.setAttribute("data-loaded", "error");
  });
})();

/* Drag a proposed camera and see its figures for that position (POST /api/maps/proposals/preview).
   The cone is drawn only to show where it points (sector.js); every figure comes from the service. */
(function () {
  "use strict";
  var holder = document.getElementById("proposal-map");
  var dataNode = document.getElementById("map-data");
  if (!holder || !dataNode || typeof L === "undefined") { return; }
  var settings = JSON.parse(dataNode.textContent);
  var panel = document.getElementById("preview-figures");
  var tokenField = document.querySelector("input[name=csrfmiddlewaretoken]");
  var message = document.getElementById("map-message");

  function colour(status) { return (settings.statusColours && settings.statusColours[status]) || "#333"; }
  function cell(name) { return panel.querySelector('[data-preview="' + name + '"]'); }

  var map = L.map(holder).setView([51.40, -3.27], 14);
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution || "", maxZoom: 19 }).addTo(map);
  } else {
    message.textContent = "No basemap is configured; cameras and views are shown without one.";
    message.hidden = false;
  }
  map.createPane("views").style.zIndex = 410;
  map.createPane("cameras").style.zIndex = 450;

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  load(settings.viewsUrl).then(function (collection) {
    L.geoJSON(collection, { pane: "views", style: function (f) {
      return { color: colour(f.properties.status), weight: 1, fillOpacity: 0.12 }; } }).addTo(map);
  });
  load(settings.camerasUrl).then(function (collection) {
    L.geoJSON(collection, { pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { pane: "cameras", radius: 5, color: "#fff", weight: 1,
                                      fillColor: colour(f.properties.status), fillOpacity: 1 });
    } }).addTo(map);
  });

  function sector(latlng, item) { return window.valeSector(latlng, item); }

  function preview(item, latlng) {
    var body = {
      kind: item.kind, camera_id: item.camera_id, name: item.name || "Proposed camera",
      camera_kind: item.kind === "add" ? item.camera_kind : null, owner_id: settings.ownerId,
      location: { x: latlng.lng, y: latlng.lat, srid: 4326 },
      bearing_deg: item.bearing_deg, view_angle_deg: item.view_angle_deg, view_range_m: item.view_range_m
    };
    panel.setAttribute("data-busy", "true");
    return fetch(settings.previewUrl, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenField ? tokenField.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var error = cell("error");
      if (!result.ok) {
        error.textContent = result.data.detail || "The position was refused.";
        error.hidden = false;
      } else {
        error.hidden = true;
        var coverage = result.data.coverage;
        var figures = result.data.items[0];
        cell("position").textContent = latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
        cell("covered_after").textContent = coverage.covered_after + " of " + coverage.incidents;
        cell("gained_lost").textContent = "+" + coverage.gained + " / −" + coverage.lost;
        cell("overlap").textContent = figures.overlap_pct + "% (" + Math.round(figures.overlap_m2) + " m²)";
        cell("node").textContent = figures.nearest_node_name ?
          figures.nearest_node_name + ", " + Math.round(figures.node_distance_m) + " m" : "none in service";
        cell("fibre").textContent = figures.fibre_length_m === null ? "—" :
          figures.fibre_length_m + " m, £" + figures.fibre_cost_gbp;
      }
      panel.setAttribute("data-lat", latlng.lat.toFixed(7));
      panel.setAttribute("data-lon", latlng.lng.toFixed(7));
      panel.setAttribute("data-previews", String(Number(panel.getAttribute("data-previews")) + 1));
      panel.removeAttribute("data-busy");
    });
  }

  var bounds = L.latLngBounds([]);
  settings.items.forEach(function (item) {
    var where = L.latLng(item.lat, item.lon);
    bounds.extend(where);
    var cone = L.polygon(sector(where, item), { color: "#d81b60", weight: 2, fillOpacity: 0.25, className: "proposed-cone" })
      .addTo(map);
    var marker = L.marker(where, {
      draggable: true, title: item.name || "Proposed camera",
      icon: L.divIcon({ className: "proposal-item", html: "", iconSize: [18, 18] })
    }).addTo(map);
    marker.on("drag", function () { cone.setLatLngs(sector(marker.getLatLng(), item)); });
    marker.on("dragend", function () { preview(item, marker.getLatLng()); });
  });
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.5), { maxZoom: 17 }); }
  holder.setAttribute("data-loaded", "true");
})();

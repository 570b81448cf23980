/* The map page: every layer from the project's own endpoints, toggled and filtered.
   No basemap is needed: with none configured or reachable, the layers still show, with a note. */
(function () {
  "use strict";
  var holder = document.getElementById("full-map");
  var dataNode = document.getElementById("map-data");
  if (!holder || !dataNode || typeof L === "undefined") { return; }
  var settings = JSON.parse(dataNode.textContent);
  var message = document.getElementById("map-message");
  var counts = document.getElementById("map-counts");
  var filters = document.getElementById("map-filters");

  function note(text) { message.textContent = text; message.hidden = false; }
  function colour(status) { return (settings.statusColours && settings.statusColours[status]) || "#333"; }
  function value(name) { var field = filters.elements[name]; return field ? field.value : ""; }
  function query(names) {
    var params = new URLSearchParams();
    names.forEach(function (name) { if (value(name)) { params.set(name, value(name)); } });
    return params;
  }
  function withParams(url, params) {
    var text = params.toString();
    if (!text) { return url; }
    return url + (url.indexOf("?") === -1 ? "?" : "&") + text;
  }
  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (body) { throw new Error(body.detail || ("HTTP " + response.status)); });
        }
        return response.json();
      });
  }

  // A view in the address (#zoom/lat/lon) opens the map there; otherwise it fits the cameras.
  var asked = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
  var map = L.map(holder).setView(asked ? [parseFloat(asked[2]), parseFloat(asked[3])] : [51.40, -3.27],
                                   asked ? parseInt(asked[1], 10) : 12);
  if (settings.tileUrl) {
    var failures = 0;
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution || "", maxZoom: 19 })
      .on("tileerror", function () {
        failures += 1;
        if (failures === 1) { note("The basemap could not be reached; every layer is shown without it."); }
      }).addTo(map);
  } else {
    note("No basemap is configured; every layer is shown without one.");
  }

  // Fixed stacking: reloading one layer must never cover another (cameras stay clickable on top).
  [["views", 410], ["incidents", 420], ["links", 430], ["nodes", 440], ["cameras", 450]].forEach(function (pane) {
    map.createPane(pane[0]).style.zIndex = pane[1];
  });
  var layers = {
    views: L.layerGroup().addTo(map),
    links: L.layerGroup().addTo(map),
    nodes: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    cameras: L.layerGroup().addTo(map)
  };
  var overlays = { "Cameras": layers.cameras, "Fields of view": layers.views, "Incidents": layers.incidents };
  if (settings.linksUrl) { overlays["Network links"] = layers.links; overlays["Network nodes"] = layers.nodes; }
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  function cameraPopup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.className = "camera-link";
    link.textContent = p.asset_ref + " " + p.name;
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.status + (p.town ? ", " + p.town : "")));
    return box;
  }

  var seen = { cameras: 0, incidents: 0 };
  function showCounts() {
    counts.textContent = seen.cameras + " cameras, " + (seen.incidents === null ?
      "incidents drawn from vector tiles." : seen.incidents + " incidents shown.");
  }

  function loadCameras() {
    var params = query(["status", "town"]);
    return Promise.all([load(withParams(settings.viewsUrl, params)), load(withParams(settings.camerasUrl, params))])
      .then(function (results) {
        layers.views.clearLayers();
        layers.cameras.clearLayers();
        L.geoJSON(results[0], {
          pane: "views",
          style: function (f) { return { color: colour(f.properties.status), weight: 1, fillOpacity: 0.15, className: "view-cone" }; }
        }).addTo(layers.views);
        L.geoJSON(results[1], {
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { pane: "cameras", radius: 6, color: "#fff", weight: 2,
                                            fillColor: colour(f.properties.status),
                                            fillOpacity: 1, className: "camera-marker camera-" + f.properties.asset_ref });
          },
          onEachFeature: function (f, marker) { marker.bindPopup(cameraPopup(f.properties)); }
        }).addTo(layers.cameras);
        seen.cameras = results[1].features.length;
        showCounts();
      });
  }

  function loadNetwork() {
    if (!settings.linksUrl) { return Promise.resolve(); }
    return Promise.all([load(settings.linksUrl), load(settings.nodesUrl)]).then(function (results) {
      L.geoJSON(results[0], { pane: "links", style: { color: "#00617f", weight: 3, className: "network-link" } })
        .addTo(layers.links);
      L.geoJSON(results[1], {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "nodes", radius: 7, color: "#1d2530", weight: 2, fillColor: "#fff",
                                          fillOpacity: 1, className: "network-node" });
        },
        onEachFeature: function (f, marker) { marker.bindPopup(document.createTextNode(f.properties.name)); }
      }).addTo(layers.nodes);
    });
  }

  function incidentParams() {
    var params = query(["month_from", "month_to"]);
    if (value("category")) { params.set("category", value("category")); }
    return params;
  }

  function loadIncidentTiles(params) {
    // At street zoom incidents come as vector tiles (/tiles/incidents/...mvt), one request per tile,
    // so the page never holds the whole layer.
    layers.incidents.clearLayers();
    var url = settings.incidentTilesUrl + "?" + params.toString();
    L.vectorGrid.protobuf(url, {
      pane: "incidents", rendererFactory: L.svg.tile, maxNativeZoom: 22,
      vectorTileLayerStyles: { incidents: { radius: 3, fill: true, fillColor: "#6a1b9a", fillOpacity: 0.7,
                                            color: "#6a1b9a", weight: 1, className: "incident-tile-point" } }
    }).addTo(layers.incidents);
    seen.incidents = null;
    showCounts();
    return Promise.resolve();
  }

  function loadIncidents() {
    var params = incidentParams();
    if (!params.get("month_from")) { layers.incidents.clearLayers(); seen.incidents = 0; showCounts(); return Promise.resolve(); }
    if (settings.incidentTilesUrl && typeof L.vectorGrid !== "undefined" && map.getZoom() >= settings.tileZoom) {
      return loadIncidentTiles(params);
    }
    var points = map.getZoom() >= settings.pointZoom;
    var url;
    if (points) {
      var b = map.getBounds();
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) { return n.toFixed(5); }).join(","));
      url = withParams(settings.incidentsUrl, params);
    } else {
      params.set("cell_m", "250");
      url = withParams(settings.incidentGridUrl, params);
    }
    return load(url).then(function (collection) {
      layers.incidents.clearLayers();
      var total = 0;
      if (points) {
        L.geoJSON(collection, {
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { pane: "incidents", radius: 3, color: "#6a1b9a", weight: 1, fillOpacity: 0.7,
                                            className: "incident-point" });
          },
          onEachFeature: function (f, marker) { marker.bindPopup(document.createTextNode(f.properties.category)); }
        }).addTo(layers.incidents);
        total = collection.features.length;
      } else {
        var max = 1;
        collection.features.forEach(function (f) { max = Math.max(max, f.properties.incidents || 0); total += f.properties.incidents || 0; });
        L.geoJSON(collection, {
          pane: "incidents",
          style: function (f) {
            var share = (f.properties.incidents || 0) / max;
            return { color: "#6a1b9a", weight: 0, fillColor: "#6a1b9a", fillOpacity: 0.1 + 0.6 * share, className: "incident-cell" };
          }
        }).addTo(layers.incidents);
      }
      seen.incidents = total;
      showCounts();
    }).catch(function (error) { note("Incidents could not be loaded: " + error.message); });
  }

  Promise.all([loadCameras(), loadNetwork(), loadIncidents()]).then(function () {
    var bounds = L.latLngBounds([]);
    layers.cameras.eachLayer(function (layer) { if (layer.getBounds) { bounds.extend(layer.getBounds()); } });
    if (bounds.isValid() && !asked) { map.fitBounds(bounds, { padding: [20, 20] }); }
    holder.setAttribute("data-loaded", "true");
  }).catch(function (error) {
    note("Map layers could not be loaded (" + error.message + ").");
    holder.setAttribute("data-loaded", "error");
  });

  filters.addEventListener("change", function (event) {
    if (event.target.name === "status" || event.target.name === "town") { loadCameras(); } else { loadIncidents(); }
  });
  map.on("moveend", function () { loadIncidents(); });
})();

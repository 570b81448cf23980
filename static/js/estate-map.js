/* Estate maps: cameras and their fields of view from the project's own GeoJSON endpoints.
   Settings arrive in <script type="application/json" id="map-data"> so the page needs no inline
   script. With no basemap configured, or none reachable, every layer still shows, with a note. */
(function () {
  "use strict";
  var holder = document.getElementById("camera-map");
  var dataNode = document.getElementById("map-data");
  if (!holder || !dataNode || typeof L === "undefined" || !window.valeMap) { return; }
  var settings = JSON.parse(dataNode.textContent);
  var message = document.getElementById("map-message");

  function note(text) {
    if (message) { message.textContent = text; message.hidden = false; }
  }

  var map = window.valeMap(holder, settings, note, {
    none: "No basemap is configured; cameras and views are shown without one.",
    unreachable: "The basemap could not be reached; cameras and views are shown without it."
  });

  function colour(status) {
    return (settings.statusColours && settings.statusColours[status]) || "#333";
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  var bounds = L.latLngBounds([]);
  var pending = [];
  if (settings.linksUrl) {
    pending.push(load(settings.linksUrl).then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          var down = feature.properties.status === "down";
          return { color: down ? "#b3261e" : "#00617f", weight: 3, dashArray: down ? "6 6" : null, className: "network-link" };
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
    }));
  }
  if (settings.nodesUrl) {
    pending.push(load(settings.nodesUrl).then(function (collection) {
      L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: "#1d2530", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
                                          className: "network-node" });
        },
        onEachFeature: function (feature, marker) {
          marker.bindPopup(document.createTextNode(feature.properties.name + " (" + feature.properties.kind + ")"));
        }
      }).addTo(map);
    }));
  }
  if (settings.viewsUrl) {
    pending.push(load(settings.viewsUrl).then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          return { color: colour(feature.properties.status), weight: 1, fillOpacity: 0.18, className: "view-cone" };
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
    }));
  }
  if (settings.camerasUrl) {
    pending.push(load(settings.camerasUrl).then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: feature.properties.asset_ref === settings.focusAssetRef ? 8 : 6,
            color: "#fff", weight: 2, fillColor: colour(feature.properties.status), fillOpacity: 1,
            className: "camera-marker"
          });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.asset_ref + " " + p.name;
          var box = document.createElement("div");
          box.appendChild(link);
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode(p.status));
          marker.bindPopup(box);
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { bounds.extend(layer.getBounds()); }
    }));
  }
  if (settings.pickLocation) {
    // The request form: a click sets the incident location fields and drops a marker.
    var lon = document.getElementById("id_longitude");
    var lat = document.getElementById("id_latitude");
    var picked = null;
    var place = function (latlng) {
      if (picked) { picked.setLatLng(latlng); } else { picked = L.marker(latlng, { title: "Incident location" }).addTo(map); }
      if (lon && lat) { lon.value = latlng.lng.toFixed(6); lat.value = latlng.lat.toFixed(6); }
    };
    map.on("click", function (event) { place(event.latlng); });
    if (lon && lat && lon.value && lat.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
  }
  Promise.all(pending).then(function () {
    if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 18, padding: [20, 20] }); }
    holder.setAttribute("data-loaded", "true");
  }).catch(function (error) {
    note("Map layers could not be loaded (" + error.message + ").");
    holder.setAttribute("data-loaded", "error");
  });
})();

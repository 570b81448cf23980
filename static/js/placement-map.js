/* The suggested cameras on a map, each with its view and what it gains (from the placement page). */
(function () {
  "use strict";
  var holder = document.getElementById("placement-map");
  var dataNode = document.getElementById("placement-data");
  if (!holder || !dataNode || typeof L === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var map = L.map(holder).setView([51.40, -3.27], 13);
  if (data.tileUrl) { L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map); }
  var bounds = L.latLngBounds([]);
  data.cameras.forEach(function (camera, index) {
    var where = L.latLng(camera.lat, camera.lon);
    bounds.extend(where);
    L.polygon(window.valeSector(where, camera), { color: "#2e7d32", weight: 2, fillOpacity: 0.25,
                                                  className: "suggested-cone" }).addTo(map);
    L.circleMarker(where, { radius: 7, color: "#fff", weight: 2, fillColor: "#2e7d32", fillOpacity: 1,
                            className: "suggested-camera" })
      .bindTooltip((index + 1) + ": +" + camera.gained + " incidents", { permanent: true, direction: "right",
                                                                         className: "suggested-gain" })
      .addTo(map);
  });
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 17 }); }
  holder.setAttribute("data-loaded", "true");
})();

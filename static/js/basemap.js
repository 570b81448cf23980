/* One Leaflet map over the Vale with the configured basemap, shared by the estate and public maps.
   With no basemap configured, or none reachable, the map still shows its layers and the page says
   why there is no background: note() puts says.none or says.unreachable on the page. */
(function () {
  "use strict";
  window.valeMap = function (holder, settings, note, says) {
    var map = L.map(holder, { zoomControl: true, attributionControl: true }).setView([51.40, -3.27], 12);
    if (settings.tileUrl) {
      var failures = 0;
      L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution || "", maxZoom: 19 })
        .on("tileerror", function () {
          failures += 1;
          if (failures === 1) { note(says.unreachable); }
        })
        .addTo(map);
    } else {
      note(says.none);
    }
    return map;
  };
}());

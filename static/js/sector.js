/* A camera's view as a Leaflet polygon, for display only: a local flat-earth sector with bearings
   taken as true north. Figures never come from this; the service builds views in British National Grid. */
(function () {
  "use strict";
  window.valeSector = function (latlng, view) {
    var range = view.view_range_m || 50;
    var full = view.camera_kind === "ptz" || view.bearing_deg === null || view.bearing_deg === undefined ||
      !view.view_angle_deg || view.view_angle_deg >= 360;
    var angle = full ? 360 : view.view_angle_deg;
    var start = full ? 0 : view.bearing_deg - angle / 2;
    var points = full ? [] : [latlng];
    var steps = Math.max(8, Math.ceil(angle / 5));
    for (var i = 0; i <= steps; i += 1) {
      var theta = (start + angle * i / steps) * Math.PI / 180;
      points.push(L.latLng(latlng.lat + range * Math.cos(theta) / 111320,
                           latlng.lng + range * Math.sin(theta) / (111320 * Math.cos(latlng.lat * Math.PI / 180))));
    }
    return points;
  };
})();

"""Vector tile URLs, included at the site root: /tiles/<layer>/<z>/<x>/<y>.mvt.

z, x and y are matched loosely and checked by maps.tiles, so a bad address gets a 400 that
says what is wrong rather than a bare 404.
"""

from django.urls import re_path

from maps import views_tiles

app_name = "maps_tiles"

urlpatterns = [
    re_path(r"^tiles/(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.mvt$", views_tiles.tile, name="tile"),
]

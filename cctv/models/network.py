"""The network that carries the pictures: nodes, links and each camera's stored path."""

import pghistory
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import F, Q

from cctv.choices import LinkKind, NetworkStatus, NodeKind


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Node(models.Model):
    """A point in the network: street cabinet, hub, the monitoring centre, a viewing platform."""

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="nodes")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=NodeKind.choices)
    location = models.PointField(srid=27700)
    status = models.CharField(max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.IN_SERVICE)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="node_name_unique_per_owner")]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Link(models.Model):
    """A fibre, wireless or 4G connection between two nodes; traffic flows either way.

    The length is computed from the route geometry in metres (27700 is metric), never typed.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.FIBRE)
    provider = models.CharField(max_length=100, blank=True)
    circuit_ref = models.CharField("circuit id", max_length=60, blank=True)
    a_node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="links_as_a")
    b_node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="links_as_b")
    route = models.LineStringField(srid=27700)
    length_m = models.FloatField(editable=False)
    status = models.CharField(max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.IN_SERVICE)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="link_joins_two_nodes", condition=~Q(a_node=F("b_node"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.circuit_ref or self.pk}"


class CameraPath(models.Model):
    """A camera's current path to the monitoring centre, stored NetBox-style.

    `node_ids` and `link_ids` are flat arrays with GIN indexes, so "which cameras' paths run
    through link 12" is one indexed containment lookup for the page; the impact query itself
    recomputes reachability so a camera with a second route is not counted as cut off.
    Rebuilt by cctv.services.network.paths_retrace whenever the network changes.
    """

    camera = models.OneToOneField("cctv.Camera", on_delete=models.CASCADE, related_name="path")
    node_ids = ArrayField(models.BigIntegerField(), default=list)
    link_ids = ArrayField(models.BigIntegerField(), default=list)
    is_complete = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            GinIndex(fields=["node_ids"], name="camera_path_nodes_gin"),
            GinIndex(fields=["link_ids"], name="camera_path_links_gin"),
        ]

    def __str__(self) -> str:
        return f"path of camera {self.camera_id}"

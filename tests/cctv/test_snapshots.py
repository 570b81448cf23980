"""Snapshots: only real images, no metadata kept, a thumbnail made, bombs refused."""

import io

import pytest
from PIL import Image

from accounts.exceptions import InvalidInput
from cctv.choices import CameraStatus
from cctv.geometry import point_from_input
from cctv.models import CameraSnapshot
from cctv.services.cameras import camera_create
from cctv.services.snapshots import snapshot_add


@pytest.fixture
def camera(council):
    return camera_create(owner=council, by=None, asset_ref="VOG-001", name="Barry Island",
                         location=point_from_input(-3.2727, 51.3915), status=CameraStatus.OPERATIONAL)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_with_gps_exif(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"         # Make
    exif[0x8825] = {2: (51.0, 23.0, 0.0)}  # GPS IFD with a latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_snapshot_is_stored_without_metadata_and_with_a_thumbnail(camera, cctv_manager):
    data = jpeg_with_gps_exif()
    assert Image.open(io.BytesIO(data)).getexif()  # the upload does carry EXIF
    snapshot = snapshot_add(camera=camera, data=data, by=cctv_manager, caption="looking south")
    with snapshot.image.open("rb") as stored:
        kept = Image.open(stored)
        assert kept.size == (800, 600)
        assert dict(kept.getexif()) == {}
    with snapshot.thumbnail.open("rb") as thumb:
        assert max(Image.open(thumb).size) <= 320
    assert snapshot.width_px == 800 and len(snapshot.sha256) == 64


def test_a_file_that_is_not_an_image_is_refused(camera):
    with pytest.raises(InvalidInput, match="not an image"):
        snapshot_add(camera=camera, data=b"%PDF-1.7 not an image", by=None)
    assert CameraSnapshot.objects.count() == 0


def test_a_truncated_image_is_refused(camera):
    data = jpeg_with_gps_exif()
    with pytest.raises(InvalidInput, match="damaged or truncated"):
        snapshot_add(camera=camera, data=data[: len(data) // 2], by=None)


def test_a_decompression_bomb_is_refused_before_decoding(camera, settings):
    settings.SNAPSHOT_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (5000, 5000)).save(out, format="PNG")  # 25 Mpx in a few kB
    with pytest.raises(InvalidInput, match="pixels"):
        snapshot_add(camera=camera, data=out.getvalue(), by=None)


def test_an_oversized_upload_is_refused(camera, settings):
    settings.SNAPSHOT_MAX_BYTES = 1000
    with pytest.raises(InvalidInput, match="limit"):
        snapshot_add(camera=camera, data=jpeg_with_gps_exif(), by=None)


def test_snapshot_upload_through_the_api_and_download_checks_access(client, camera, cctv_manager,
                                                                    officer_other_force):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cctv_manager)
    upload = SimpleUploadedFile("../../etc/passwd.jpg", jpeg_with_gps_exif(), content_type="image/jpeg")
    response = client.post(f"/api/cameras/{camera.pk}/snapshots", {"image": upload, "caption": "south"})
    assert response.status_code == 201, response.content
    snapshot = CameraSnapshot.objects.get()
    assert "passwd" not in snapshot.image.name and ".." not in snapshot.image.name
    image_url = response.json()["image_url"]
    assert client.get(image_url).status_code == 200
    client.force_login(officer_other_force)
    assert client.get(image_url).status_code == 404


def test_a_truncated_image_is_refused_even_after_the_pdf_renderer_is_loaded(camera):
    from PIL import ImageFile

    import reports.rendering  # noqa: F401  (imports WeasyPrint, which flips a Pillow global)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    data = jpeg_with_gps_exif()
    with pytest.raises(InvalidInput, match="damaged or truncated"):
        snapshot_add(camera=camera, data=data[: len(data) // 2], by=None)

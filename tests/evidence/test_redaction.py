"""Redacting stills: a new exhibit that differs from the original only inside the rectangles."""

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from evidence.choices import CustodyEventType, ExhibitKind, RequestState
from evidence.models import CustodyEvent, Exhibit
from evidence.redaction import MAX_RECTANGLES
from tests.evidence.factories import ExhibitFactory
from tests.evidence.factories_exhibits import request_in_state, still_bytes

WIDTH, HEIGHT = 64, 48


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(council, officer):
    return request_in_state(owner=council, requester=officer, state=RequestState.EXPORTED, kind="sar")


def _still(case, operator, image_format="PNG", **kwargs):
    content = still_bytes(WIDTH, HEIGHT, image_format=image_format)
    exhibit = ExhibitFactory(request=case, reference="OP/1", kind=ExhibitKind.STILL, created_by=operator,
                             content=content, content_type=f"image/{image_format.lower()}", **kwargs)
    return exhibit, content


def _redact(client, exhibit, rectangles):
    return client.post(f"/api/evidence/exhibits/{exhibit.pk}/redact", {"rectangles": rectangles},
                       content_type="application/json")


def _pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _detail(image: Image.Image, box) -> float:
    """Mean difference in grey level between horizontally adjacent pixels inside the box."""
    grey = image.convert("L")
    steps = [abs(grey.getpixel((x, y)) - grey.getpixel((x + 1, y)))
             for y in range(box[1], box[3]) for x in range(box[0], box[2] - 1)]
    return sum(steps) / len(steps)


def _inside(x, y, box):
    return box[0] <= x < box[2] and box[1] <= y < box[3]


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_block_turns_the_rectangle_black_and_changes_nothing_else(client, operator, case, image_format):
    original, content = _still(case, operator, image_format)
    client.force_login(operator)
    response = _redact(client, original, [{"x": 10, "y": 5, "width": 20, "height": 12, "mode": "block"}])
    assert response.status_code == 201, response.content
    redacted = Exhibit.objects.get(pk=response.json()["id"])
    before, after = _pixels(content), _pixels(Path(redacted.file.path).read_bytes())
    box = (10, 5, 30, 17)
    inside = [after.getpixel((x, y)) for y in range(HEIGHT) for x in range(WIDTH) if _inside(x, y, box)]
    outside_changed = [(x, y) for y in range(HEIGHT) for x in range(WIDTH)
                       if not _inside(x, y, box) and after.getpixel((x, y)) != before.getpixel((x, y))]
    assert len(inside) == 20 * 12 and set(inside) == {(0, 0, 0)}
    assert outside_changed == []


def test_a_blur_leaves_no_detail_inside_and_changes_nothing_outside(client, operator, case):
    original, content = _still(case, operator)
    client.force_login(operator)
    response = _redact(client, original, [{"x": 16, "y": 8, "width": 32, "height": 32, "mode": "blur"}])
    before, after = _pixels(content), _pixels(Path(Exhibit.objects.get(pk=response.json()["id"]).file.path)
                                              .read_bytes())
    box = (16, 8, 48, 40)
    assert all(after.getpixel((x, y)) == before.getpixel((x, y))
               for y in range(HEIGHT) for x in range(WIDTH) if not _inside(x, y, box))
    # The test pattern changes at every pixel; after the blur, neighbours inside the box are nearly equal.
    assert _detail(before, box) > 20 and _detail(after, box) < 3


def test_the_original_file_and_hash_are_untouched(client, operator, case):
    original, content = _still(case, operator)
    client.force_login(operator)
    response = _redact(client, original, [{"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "mode": "block"}])
    original.refresh_from_db()
    assert hashlib.sha256(Path(original.file.path).read_bytes()).hexdigest() == original.sha256
    assert original.sha256 == hashlib.sha256(content).hexdigest()
    redacted = Exhibit.objects.get(pk=response.json()["id"])
    assert redacted.sha256 == hashlib.sha256(Path(redacted.file.path).read_bytes()).hexdigest() != original.sha256


def test_the_redaction_is_a_new_exhibit_with_its_rectangles_in_custody(client, operator, case):
    original, _ = _still(case, operator)
    client.force_login(operator)
    rectangles = [{"x": 1, "y": 2, "width": 3, "height": 4, "mode": "block"},
                  {"x": 40, "y": 20, "width": 10, "height": 10, "mode": "blur"}]
    body = _redact(client, original, rectangles).json()
    redacted = Exhibit.objects.get(pk=body["id"])
    assert (redacted.kind, redacted.derived_from, redacted.is_master_copy, redacted.reference) == (
        ExhibitKind.REDACTED_STILL, original, False, "OP/2")
    assert redacted.file.name.endswith(".png") and redacted.content_type == "image/png"
    event = CustodyEvent.objects.get(request=case, event_type=CustodyEventType.REDACTED)
    assert event.exhibit == redacted and event.exhibit_sha256 == redacted.sha256
    assert event.detail["rectangles"] == rectangles and event.detail["redacted_from"] == "OP/1"


@pytest.mark.parametrize(("rectangles", "detail"), [
    ([], "at least one rectangle"),
    ([{"x": 60, "y": 0, "width": 10, "height": 10}], "Rectangle 1 (60,0 10x10) is not inside the 64x48 image"),
    ([{"x": 0, "y": 0, "width": 5, "height": 5}, {"x": -1, "y": 0, "width": 5, "height": 5}],
     "Rectangle 2 (-1,0 5x5) is not inside"),
    ([{"x": 0, "y": 0, "width": 0, "height": 5}], "Rectangle 1 has no area"),
    ([{"x": 0, "y": 0, "width": 5, "height": 5, "mode": "smudge"}], "mode is 'blur' or 'block', not 'smudge'"),
    ([{"x": 0, "y": 0, "width": 1, "height": 1}] * (MAX_RECTANGLES + 1), f"At most {MAX_RECTANGLES} rectangles"),
])
def test_bad_rectangles_are_refused_with_what_is_wrong(client, operator, case, rectangles, detail):
    original, _ = _still(case, operator)
    client.force_login(operator)
    response = _redact(client, original, rectangles)
    assert response.status_code == 400 and detail in response.json()["detail"]
    assert Exhibit.objects.count() == 1


def test_footage_is_not_redacted_as_a_still(client, operator, case):
    footage = ExhibitFactory(request=case, reference="OP/1", created_by=operator)
    client.force_login(operator)
    response = _redact(client, footage, [{"x": 0, "y": 0, "width": 1, "height": 1}])
    assert response.status_code == 400 and "only stills are redacted" in response.json()["detail"]


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("officer_other_force", 404), ("auditor", 403)])
def test_only_case_workers_redact(client, operator, case, request, who, status):
    original, _ = _still(case, operator)
    client.force_login(request.getfixturevalue(who))
    assert _redact(client, original, [{"x": 0, "y": 0, "width": 1, "height": 1}]).status_code == status

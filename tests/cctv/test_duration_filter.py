import pytest

from cctv.templatetags.estate import duration


@pytest.mark.parametrize(("seconds", "text"), [
    (59, "0 min"), (600, "10 min"), (13215, "3 h 40 min"), (86400, "1 d 0 h"), (1371735, "15 d 21 h"), (None, ""),
])
def test_deadlines_read_as_days_hours_and_minutes(seconds, text):
    assert duration(seconds) == text

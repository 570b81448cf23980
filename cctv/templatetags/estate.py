from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as a person reads a deadline: '2 d 3 h', '3 h 40 min', '12 min'."""
    if seconds is None:
        return ""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"

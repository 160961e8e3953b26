"""The latest announcements, for pages rendered by other apps (the home page)."""

from django import template
from django.utils.translation import get_language

from secretariat import selectors

register = template.Library()

HOME_ANNOUNCEMENTS = 3


@register.simple_tag
def latest_announcements(count: int = HOME_ANNOUNCEMENTS) -> list:
    """`{% latest_announcements as announcements %}`: one query."""
    return list(selectors.announcement_list_public(language=get_language() or "en")[:count])

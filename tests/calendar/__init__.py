"""Tests of the calendar feeds; what several of them share."""
import re

ZONE = "America/Port-au-Prince"


def feed_token(client) -> str:
    """A new secret feed address for the signed-in ``client``'s account (its token)."""
    html = client.submit("/accounts/calendar-feed", follow_redirects=True).get_data(as_text=True)
    return re.search(r'/calendar/([^/"]+)/mine.ics', html).group(1)

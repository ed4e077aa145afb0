"""Calendar: the .ics feeds calendar programs subscribe to, and the secret feed addresses."""

"""eCabinet: the paperless meeting room and online briefing system of a city government."""

"""Realtime transport that knows nothing of meetings: hub, broker, event log, video bridge."""

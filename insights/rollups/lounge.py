"""The lounge figures' rollups (to come)."""

FAMILIES = ()

"""From raw events to the daily rollups the dashboard reads. (Skeleton: helper "rollups" fills it.)"""


def analytics_tick() -> dict:
    raise NotImplementedError


def salts_rotate() -> int:
    raise NotImplementedError


def raw_events_prune() -> int:
    raise NotImplementedError

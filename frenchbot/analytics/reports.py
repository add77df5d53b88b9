"""The weekly e-mail report to staff who opt in. (Skeleton: helper "dashboard" fills it.)"""


def weekly_reports_send_due() -> int:
    raise NotImplementedError

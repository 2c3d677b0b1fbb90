"""Working days and the answer deadline of 条例第三十三条.

"行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复；需要延长答复期限的，应当经政府
信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。" Counting convention
used here:

* the day of receipt does not count; the due date is the 20th working day after it (a receipt on
  a non-working day makes the next working day day 1);
* an extended application is due on the 40th working day (20 + at most 20);
* when the register gives 补正日期 (条例第三十条: the time limit runs again from the receipt of
  the corrected application), the count starts from that date instead
  (:attr:`nianbao.read.register.Application.start`);
* working days are the official calendar of the ``chinese_calendar`` package
  (``chinese_calendar.is_workday``: statutory holidays off, adjusted working days 调休上班 on);
  for a year the package does not know, Monday–Friday is used and the result says so in a note;
* not modelled: the time spent consulting third parties or other agencies, which 第三十三条
  excludes from the limit, and any pause while a fee notice (收费通知) is outstanding.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

BASE_DAYS = 20  # 条例第三十三条第二款
EXTENSION_DAYS = 20  # 延长的期限最长不得超过20个工作日


class WorkCalendar:
    """The official working-day calendar; Monday–Friday for years chinese_calendar lacks."""

    def __init__(self) -> None:
        self.fallback_years: set[int] = set()

    def is_workday(self, day: dt.date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.fallback_years.add(day.year)
            return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (start itself not counted)."""
        day, count = start, 0
        while count < days:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def notes(self) -> list[str]:
        return [
            f"chinese_calendar 没有 {y} 年的法定节假日安排，该年按周一至周五计算工作日"
            for y in sorted(self.fallback_years)
        ]


def due_date(received: dt.date, extended: bool = False, calendar: WorkCalendar | None = None) -> dt.date:
    """The last day to answer under 条例第三十三条: the 20th working day after receipt (40th if extended)."""
    calendar = calendar or WorkCalendar()
    return calendar.add(received, BASE_DAYS + (EXTENSION_DAYS if extended else 0))


__all__ = ["BASE_DAYS", "EXTENSION_DAYS", "WorkCalendar", "due_date"]

"""Computing from a register of applications: 表三 of a year and the replies late under 条例第三十三条.

Reading the register file is :mod:`nianbao.read.register`; the working-day calendar and the
deadline are :mod:`.calendar`; 表三 and the lateness check are :mod:`.compute`.
"""

from .calendar import BASE_DAYS, EXTENSION_DAYS, WorkCalendar, due_date
from .compute import Late, RegisterResult, check_register, result_row, table3_from_register, to_report

__all__ = [
    "BASE_DAYS",
    "EXTENSION_DAYS",
    "Late",
    "RegisterResult",
    "WorkCalendar",
    "check_register",
    "due_date",
    "result_row",
    "table3_from_register",
    "to_report",
]

"""Hand-made datasets the chart tests draw: what engine/reports would return for small CRM reports."""

from __future__ import annotations

from decimal import Decimal

from engine.reports.dataset import Column, Dataset, Member

STAGE = Column("stage", {"zh": "阶段", "en": "Stage"}, "dimension", "text")
OWNER = Column("owner", {"zh": "负责人", "en": "Owner"}, "dimension", "text")
MONTH = Column("month", {"zh": "月份", "en": "Month"}, "dimension", "date")
PROVINCE = Column("province", {"zh": "省份", "en": "Province"}, "dimension", "text")
COUNT = Column("count", {"zh": "商机数", "en": "Deals"}, "measure", "number", 0)
AMOUNT = Column("amount", {"zh": "金额", "en": "Amount"}, "measure", "money", 2)
RATE = Column("rate", {"zh": "赢单率", "en": "Win rate"}, "measure", "percent", 1)
CYCLE = Column("cycle", {"zh": "销售周期", "en": "Sales cycle"}, "measure", "days", 1)

LEAD = Member("lead", {"zh": "线索", "en": "Lead"}, "#3b82f6")
PROPOSAL = Member("proposal", {"zh": "方案", "en": "Proposal"}, "#f59e0b")
WON = Member("won", {"zh": "赢单", "en": "Won"}, "#10b981")
ANN = Member(1, {"zh": "安妮", "en": "Ann"})
BOB = Member(2, {"zh": "鲍勃", "en": "Bob"})
OTHERS = Member("__others__", {"zh": "其他", "en": "Others"})


def by_stage() -> Dataset:
    """Deals and amounts per stage (stage order), with a total over every deal in scope."""
    return Dataset([STAGE, COUNT, AMOUNT], [
        [LEAD, 12, Decimal("120000.00")],
        [PROPOSAL, 5, Decimal("250000.50")],
        [WON, 3, Decimal("90000.00")],
    ], totals={"count": 20, "amount": Decimal("460000.50")})


def by_stage_and_owner() -> Dataset:
    """Deals per stage and owner; Bob has no proposal (a missing cell)."""
    return Dataset([STAGE, OWNER, COUNT, AMOUNT], [
        [LEAD, ANN, 7, Decimal("70000")],
        [LEAD, BOB, 5, Decimal("50000")],
        [PROPOSAL, ANN, 5, Decimal("250000.50")],
        [WON, ANN, 1, Decimal("30000")],
        [WON, BOB, 2, Decimal("60000")],
    ], totals={"count": 20, "amount": Decimal("460000.50")})


def by_month() -> Dataset:
    months = [Member(f"2026-{m:02d}-01", {"zh": f"2026年{m}月", "en": f"2026-{m:02d}"}) for m in (1, 2, 3, 4)]
    return Dataset([MONTH, AMOUNT, RATE], [
        [months[0], Decimal("100000"), 0.2], [months[1], Decimal("150000"), 0.25],
        [months[2], Decimal("90000"), 0.18], [months[3], Decimal("210000"), 0.3],
    ], totals={"amount": Decimal("550000"), "rate": 0.24})


def by_province() -> Dataset:
    return Dataset([PROVINCE, COUNT], [
        [Member("广东省", {"zh": "广东省", "en": "Guangdong"}), 40],
        [Member("440000", {"zh": "", "en": ""}), 1],  # a code, read as Guangdong too
        [Member("北京市", {"zh": "北京市", "en": "Beijing"}), 25],
        [Member("内蒙古自治区", {"zh": "内蒙古自治区", "en": "Inner Mongolia"}), 4],
        [Member(None, {"zh": "", "en": ""}), 3],
        [OTHERS, 9],
    ], totals={"count": 82})


def by_owner_scatter() -> Dataset:
    return Dataset([OWNER, COUNT, AMOUNT], [[ANN, 13, Decimal("350000.50")], [BOB, 7, Decimal("110000")]],
                   totals={"count": 20, "amount": Decimal("460000.50")})


def won_this_month(previous: dict[str, object] | None = None) -> Dataset:
    return Dataset([AMOUNT, CYCLE], [[Decimal("460000.50"), 32.5]],
                   totals={"amount": Decimal("460000.50"), "cycle": 32.5}, previous=previous)


def by_owner_stage_quarter() -> Dataset:
    """Deals by owner, stage and quarter: a pivot with two row dimensions (subtotals per owner) and one column."""
    q1 = Member("2026-01-01", {"zh": "2026年第1季度", "en": "2026 Q1"})
    q2 = Member("2026-04-01", {"zh": "2026年第2季度", "en": "2026 Q2"})
    return Dataset([OWNER, STAGE, MONTH, COUNT, RATE], [
        [ANN, LEAD, q1, 4, 0.5], [ANN, LEAD, q2, 3, 0.25], [ANN, WON, q1, 1, 1.0],
        [BOB, LEAD, q1, 2, 0.0], [BOB, WON, q2, 2, 0.5],
    ], totals={"count": 12, "rate": 0.4})

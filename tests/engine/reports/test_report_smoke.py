from engine.reports.run import run_report


def test_smoke(sales) -> None:  # type: ignore[no-untyped-def]
    for rid in ("pipeline", "monthly", "by_industry", "won_this_month"):
        ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports[rid])
        print(rid, [c.key for c in ds.columns], ds.totals, ds.previous)
        for row in ds.rows[:30]:
            print("  ", [getattr(v, "label", v) for v in row])

"""A test-only app with reports and a dashboard (filters, a text block, a link), for the browser test of dashboards."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from engine.records.model import Actor

SHOP_APP = {
    "shop/shop/app.yaml": "app: shop\nlabel: {zh: 门店, en: Shop}\nforms: [order]\n",
    "shop/shop/forms/order.yaml": """form: order
label: {zh: 订单, en: Order}
title: name
fields:
  - {id: name, type: text, label: {zh: 名称, en: Name}, required: true}
  - id: channel
    type: select
    label: {zh: 渠道, en: Channel}
    options:
      - {value: web, label: {zh: 网店, en: Web}, color: blue}
      - {value: store, label: {zh: 门店, en: Store}, color: green}
      - {value: phone, label: {zh: 电话, en: Phone}, color: orange}
  - id: size
    type: select
    label: {zh: 规模, en: Size}
    options:
      - {value: small, label: {zh: 小单, en: Small}}
      - {value: large, label: {zh: 大单, en: Large}}
  - {id: amount, type: money, label: {zh: 金额, en: Amount}}
  - {id: placed_at, type: datetime, label: {zh: 下单时间, en: Placed at}}
  - {id: owner, type: user, label: {zh: 负责人, en: Owner}}
""",
    "shop/shop/reports/by_channel.yaml": """report: by_channel
label: {zh: 渠道订单, en: Orders by channel}
form: order
dimensions: [{field: channel}]
measures: [{id: orders, aggregate: count, label: {zh: 订单数, en: Orders}}]
chart: {type: column}
""",
    "shop/shop/reports/by_size.yaml": """report: by_size
label: {zh: 规模分布, en: Orders by size}
form: order
dimensions: [{field: size}]
measures: [{id: orders, aggregate: count, label: {zh: 订单数, en: Orders}}]
chart: {type: bar}
""",
    "shop/shop/reports/revenue.yaml": """report: revenue
label: {zh: 销售额, en: Revenue}
form: order
measures: [{id: amount, aggregate: sum, field: amount, label: {zh: 销售额, en: Revenue}}]
chart: {type: kpi}
""",
    "shop/shop/reports/monthly.yaml": """report: monthly
label: {zh: 月度订单, en: Orders per month}
form: order
dimensions: [{id: month, field: placed_at, bucket: month}]
measures: [{id: orders, aggregate: count, label: {zh: 订单数, en: Orders}}]
chart: {type: line}
""",
    "shop/shop/dashboards/sales.yaml": """dashboard: sales
label: {zh: 销售看板, en: Sales board}
filters:
  - {id: period, type: date_range, field: placed_at}
  - {id: channel, type: select, field: channel}
  - {id: owner, type: owner, field: owner}
items:
  - {text: {zh: 点击渠道柱可筛选其他图表, en: Click a channel to filter the other charts}, w: 12, h: 1}
  - {report: revenue, w: 4, h: 2}
  - {report: by_channel, w: 8, h: 4}
  - {report: by_size, w: 6, h: 3}
  - {report: monthly, w: 6, h: 3}
links:
  - {from: by_channel, to: [by_size, monthly]}
""",
}

CHANNELS = ("web", "web", "store", "phone", "web", "store")


def fill(ws: Any, owner: int) -> None:
    """24 orders over the last months: web the most, then store, then phone; small and large."""
    system = Actor.system_actor()
    start = datetime(2023, 10, 3, 4, 0, tzinfo=timezone.utc)
    for i in range(24):
        ws.records.create(system, "order", {
            "name": f"Order {i}", "channel": CHANNELS[i % 6], "size": "large" if i % 3 == 0 else "small",
            "amount": 100 + 17 * i, "placed_at": (start + timedelta(days=7 * i)).isoformat(), "owner": owner,
        })

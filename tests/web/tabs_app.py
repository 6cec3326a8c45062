"""A test-only app whose form lays its fields out in tabs (shared by the page and browser tests of tab strips)."""

from __future__ import annotations

DESK_APP = {
    "desk/desk/app.yaml": "app: desk\nlabel: {zh: 服务台, en: Service desk}\nforms: [ticket]\n",
    "desk/desk/forms/ticket.yaml": """form: ticket
label: {zh: 工单, en: Ticket}
fields:
  - {id: title, type: text, label: {zh: 标题, en: Title}, required: true}
  - {id: kind, type: select, label: {zh: 类型, en: Kind}, default: question, options:
      [{value: question, label: {zh: 咨询, en: Question}}, {value: bug, label: {zh: 缺陷, en: Bug}}]}
  - {id: phone, type: text, label: {zh: 电话, en: Phone}}
  - {id: email, type: email, label: {zh: 邮箱, en: Email}}
  - {id: street, type: text, label: {zh: 街道, en: Street}}
  - {id: steps, type: textarea, label: {zh: 重现步骤, en: Steps to reproduce}}
  - {id: severity, type: integer, label: {zh: 严重程度, en: Severity}, min: 1, max: 5}
  - {id: due, type: date, label: {zh: 截止日期, en: Due date}, required: true}
  - {id: notes, type: textarea, label: {zh: 备注, en: Notes}}
  - {id: reference, type: text, label: {zh: 参考编号, en: Reference}}
  - {id: extra, type: text, label: {zh: 附加信息, en: Extra}}
rules:
  - {show: [steps], when: "kind = 'bug'"}
layout:
  - [title, kind]
  - tab: {zh: 联系方式, en: Contact}
    layout:
      - [phone, email]
      - {section: {zh: 地址, en: Address}, rows: [[street]]}
  - tab: {zh: 缺陷详情, en: Bug details}
    layout: [[steps]]
  - tab: {zh: 处理, en: Handling}
    layout: [[severity, due], [notes]]
  - tab: {zh: 附件与相关文件, en: Attachments and related documents}
    layout: [[reference]]
""",
}

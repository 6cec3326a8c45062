"""Semantic checks of automation documents: the form and fields they name, formulas, templates, cron, roles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from croniter import croniter

from engine.definitions.model import SYSTEM_COLUMNS, ActionDef, AutomationDef, Definitions, FormDef, Source
from engine.definitions.scope import FormScope
from engine.definitions.suggest import closest
from engine.definitions.checker import unknown_field_in, unknown_form, unknown_role
from engine.errors import FormulaError
from engine.fields.registry import type_label_zh
from engine.formulas import ANY, check, compile_formula
from engine.i18n import I18n, zh_en
from engine.templating import check_template

RECORD_TRIGGERS = {"created", "updated", "deleted", "date", "workflow"}
AUTOMATION_VARIABLES = {"old": ANY, "steps": ANY, "body": ANY, "trigger": ANY}
DATE_TYPES = {"date", "datetime"}
WRITABLE_EXCLUDED = {"formula", "lookup", "rollup", "serial", "divider", "section"}
TEMPLATE_KEYS = ("title", "body", "subject", "batch")


def check_automations(defs: Definitions, report: Any) -> None:
    for automation in defs.automations.values():
        _AutomationCheck(defs, automation, report).run()


class _AutomationCheck:
    def __init__(self, defs: Definitions, automation: AutomationDef, report: Any):
        self.defs, self.a, self.report = defs, automation, report
        self.form: FormDef | None = defs.forms.get(automation.form) if automation.form else None
        self.role_ids = [r.id for r in defs.roles]

    def add(self, src: Source, sub: str, message: I18n, suggestion: str | None = None) -> None:
        self.report.add(src, sub, message, suggestion)

    def run(self) -> None:
        a = self.a
        if a.form and self.form is None:
            self.add(a.source, "/form", unknown_form(a.form), closest(a.form, list(self.defs.forms)))
            return
        if a.trigger.on in RECORD_TRIGGERS and self.form is None:
            self.add(a.source, "/form", zh_en(f"“{a.trigger.on}”触发方式需要指定所监听的表单(form)",
                                              f"a '{a.trigger.on}' trigger needs the form whose records it watches"))
            return
        self._trigger()
        if a.condition:
            self.formula(a.condition, a.source, "/condition", self.form)
        seen: set[str] = set()
        for action in a.actions:
            if action.id in seen:
                self.add(action.source, "/id", zh_en(f"有两个动作都叫“{action.id}”", f"two actions are named '{action.id}'"))
            seen.add(action.id)
            self._action(action)

    # --- pieces -------------------------------------------------------------------------------

    def formula(self, source: str, src: Source, sub: str, form: FormDef | None) -> None:
        scope = FormScope(self.defs, form) if form else None
        try:
            check(compile_formula(source), scope.type_of if scope else (lambda path: None),
                  variables=AUTOMATION_VARIABLES, candidates=scope.names() if scope else [])
        except FormulaError as exc:
            self.add(src, sub, exc.in_formula("公式", "formula", source))

    def field_of(self, form: FormDef | None, field_id: str, src: Source, sub: str,
                 types: set[str] | None = None, system: bool = False) -> None:
        if form is None:
            self.add(src, sub, zh_en(f"“{field_id}”需要所属的表单,请设置自动化的表单(form)",
                                     f"'{field_id}' needs a form to belong to; set the automation's form"))
            return
        f = form.field(field_id)
        if f is None and system and field_id in SYSTEM_COLUMNS:
            return
        if f is None:
            self.add(src, sub, unknown_field_in(field_id, form.id), closest(field_id, form.field_ids()))
        elif types and f.type not in types:
            allowed = "、".join(type_label_zh(t) for t in sorted(types))
            self.add(src, sub, zh_en(f"字段“{field_id}”是{type_label_zh(f.type)}字段,这里只能用:{allowed}",
                                     f"field '{field_id}' is a {f.type} field; it must be one of: "
                                     f"{', '.join(sorted(types))}"))

    def template(self, text: Any, src: Source, sub: str) -> None:
        texts = text.values() if isinstance(text, Mapping) else [text]
        for t in texts:
            problem = check_template(str(t))
            if problem:
                self.add(src, sub, problem)

    def _trigger(self) -> None:
        t, form = self.a.trigger, self.form
        for field_id in t.get("fields") or []:
            self.field_of(form, str(field_id), t.source, "/fields")
        for field_id in (t.get("to") or {}):
            self.field_of(form, str(field_id), t.source, f"/to/{field_id}")
        if t.on == "schedule":
            cron = str(t.get("cron") or "")
            if not cron:
                self.add(t.source, "", zh_en("定时触发需要 `cron`,例如 '0 9 * * 1'(每周一 09:00)",
                                             "a schedule trigger needs `cron`, e.g. '0 9 * * 1' (Mondays 09:00)"))
            elif not croniter.is_valid(cron):
                self.add(t.source, "/cron", zh_en(f"“{cron}”不是有效的 cron 表达式(分 时 日 月 星期)",
                                                  f"'{cron}' is not a cron expression (minute hour day month weekday)"))
        if t.on == "date":
            field_id = str(t.get("field") or "")
            if not field_id:
                self.add(t.source, "", zh_en("按日期触发需要 `field`:从哪个日期或日期时间字段开始计算",
                                             "a date trigger needs `field`: the date or date-time field it counts from"))
            elif field_id not in ("created_at", "updated_at"):
                self.field_of(form, field_id, t.source, "/field", DATE_TYPES)
            if t.get("hours") is not None and t.get("days") is not None:
                self.add(t.source, "/hours", zh_en("天数(days)和小时数(hours)只能填一个", "give either days or hours, not both"))
        if t.on == "workflow" and not t.get("event"):
            self.add(t.source, "", zh_en("流程触发需要 `event`(submitted、approved、rejected…)",
                                         "a workflow trigger needs `event` (submitted, approved, rejected…)"))

    def _action(self, action: ActionDef) -> None:
        kind, src = action.type, action.source
        for key in TEMPLATE_KEYS:
            if action.get(key) is not None:
                self.template(action.get(key), src, f"/{key}")
        target_form = self.form
        if kind == "create" or (kind == "update" and action.get("form")):
            name = str(action.get("form"))
            target_form = self.defs.forms.get(name)
            if target_form is None:
                self.add(src, "/form", unknown_form(name), closest(name, list(self.defs.forms)))
                return
        if kind == "update":
            target = str(action.get("target") or ("where" if action.get("form") else "record"))
            if target == "record" and self.form is None:
                self.add(src, "/target", zh_en("更新“当前记录”需要由记录触发;请指定表单(form)和 `where`",
                                               "updating 'the record' needs a trigger with a record; name a form and "
                                               "`where`"))
                return
            if target not in ("record", "where"):
                self.field_of(self.form, target, src, "/target", {"relation", "relation_many"})
                relation = self.form.field(target) if self.form else None
                target_form = self.defs.forms.get(str(relation.get("to"))) if relation else None
            if target == "where" and not action.get("where"):
                self.add(src, "/where", zh_en("更新表单的记录需要 `where`:要修改哪些记录",
                                              "updating records of a form needs `where`: which records to change"))
            if action.get("where") and target_form is not None:
                self.formula(str(action.get("where")), src, "/where", target_form)
        if kind in ("create", "update") and target_form is not None:
            for field_id, formula in (action.get("values") or {}).items():
                f = target_form.field(str(field_id))
                if f is None:
                    self.add(src, f"/values/{field_id}", unknown_field_in(str(field_id), target_form.id),
                             closest(str(field_id), target_form.field_ids()))
                elif f.type in WRITABLE_EXCLUDED:
                    self.add(src, f"/values/{field_id}",
                             zh_en(f"“{field_id}”是计算得出的({type_label_zh(f.type)}),不能赋值",
                                   f"'{field_id}' is computed ({f.type}); it cannot be set"))
                self.formula(str(formula), src, f"/values/{field_id}", self.form)
        if kind == "assign":
            field_id = str(action.get("field") or "owner")
            self.field_of(self.form, field_id, src, "/field", {"user"})
            if not action.get("pool") and not action.get("rules"):
                self.add(src, "", zh_en("分配动作需要候选人 `pool` 或规则 `rules`",
                                        "an assign action needs a `pool` of candidates or `rules`"))
            for i, rule in enumerate(action.get("rules") or []):
                self.formula(str(rule.get("when")), src, f"/rules/{i}/when", self.form)
                self._pool(rule.get("pool") or {}, src, f"/rules/{i}/pool")
            if action.get("pool"):
                self._pool(action.get("pool"), src, "/pool")
            if action.get("open"):
                self.formula(str(action.get("open")), src, "/open", self.form)
        if kind in ("notify", "email"):
            to = action.get("to") or {}
            self._pool(to, src, "/to")
            if to.get("address_field"):
                self.field_of(self.form, str(to["address_field"]), src, "/to/address_field", {"email"})
            records = to.get("records")
            if records:
                other = self.defs.forms.get(str(records.get("form")))
                if other is None:
                    self.add(src, "/to/records/form", unknown_form(str(records.get("form"))),
                             closest(str(records.get("form")), list(self.defs.forms)))
                else:
                    self.field_of(other, str(records.get("address_field")), src, "/to/records/address_field", {"email"})
                    if records.get("where"):
                        self.formula(str(records["where"]), src, "/to/records/where", other)
        for name, field_id in (action.get("count") or {}).items():
            self.field_of(self.form, str(field_id), src, f"/count/{name}", {"integer", "number"})
        if kind == "email" and not action.get("template") and not action.get("subject"):
            self.add(src, "", zh_en("邮件动作需要 `template`(已保存的邮件模板),或者 `subject` 和 `body`",
                                    "an email action needs `template` (a stored email template) or `subject` and "
                                    "`body`"))

    def _pool(self, pool: Mapping[str, Any], src: Source, sub: str) -> None:
        role = pool.get("role")
        if role and role not in self.role_ids:
            self.add(src, f"{sub}/role", unknown_role(str(role)), closest(str(role), self.role_ids))

        if pool.get("field"):
            self.field_of(self.form, str(pool["field"]), src, f"{sub}/field", {"user", "users"})

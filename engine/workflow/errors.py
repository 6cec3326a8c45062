"""Workflow errors: each carries its data and a catalogue message (zh, en); web maps them to 409 or 422."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.errors import FieldError, FormworkError
from engine.i18n import MESSAGES
from engine.locale_format import zoned_moment

# The workflow's messages join the engine's catalogue, so FieldError and the web layer render them like any other.
MESSAGES.update({
    "wf_task_handled": {"zh": "该待办已由{name}于 {at} 处理", "en": "this task was already handled by {name} at {at}"},
    "wf_record_locked": {"zh": "记录正在审批中(当前节点:{node}),请从待办中处理",
                         "en": "in approval at {node}; act from the to-do item"},
    "wf_not_editable": {"zh": "{label}在此节点不可编辑", "en": "{label} is not editable at this step"},
    "wf_no_workflow": {"zh": "表单“{form}”没有启用的流程", "en": "the form '{form}' has no enabled workflow"},
    "wf_already_running": {"zh": "该记录已有进行中的流程(#{instance})",
                           "en": "the record already has a workflow in progress (#{instance})"},
    "wf_not_running": {"zh": "流程 #{instance} 已结束({status})", "en": "workflow #{instance} is over ({status})"},
    "wf_action_not_allowed": {"zh": "此节点不允许“{action}”,可用:{allowed}",
                              "en": "'{action}' is not allowed at this step; allowed: {allowed}"},
    "wf_bad_target": {"zh": "不能退回到“{node}”,可选:{allowed}",
                      "en": "cannot send the flow back to '{node}'; possible: {allowed}"},
    "wf_no_return": {"zh": "没有可以退回的上一节点", "en": "there is no previous step to return to"},
    "wf_bad_user": {"zh": "{reason}", "en": "{reason}"},
    "wf_cannot_withdraw": {"zh": "审批人已处理过,不能撤回", "en": "an approver has already acted; it cannot be withdrawn"},
    "wf_not_submitter": {"zh": "只有提交人可以{action}", "en": "only the submitter can {action}"},
    "wf_no_task": {"zh": "没有编号为 {id} 的待办", "en": "there is no task {id}"},
    "wf_no_instance": {"zh": "没有编号为 {id} 的流程", "en": "there is no workflow instance {id}"},
    "wf_reason_required": {"zh": "请填写原因", "en": "a reason is required"},
    "wf_bad_signature": {"zh": "签名须为不超过 {kb} KB 的 PNG 图片(data:image/png;base64,…)",
                         "en": "a signature must be a PNG image as a data URL (data:image/png;base64,…) of at most "
                               "{kb} KB"},
})


MAX_ID = 2**63 - 1  # the largest BIGINT: a larger id names nothing (and must not reach the database)


def valid_id(value: object) -> bool:
    """Whether a value can be the id of a row (a whole number in the BIGINT range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class WorkflowError(FormworkError):
    """A workflow request that cannot be done as asked (422): the action, target or moment is wrong."""

    def __init__(self, code: str, **params: Any):
        self.error = FieldError(code, params)
        super().__init__(self.error.message("en"))


class WorkflowConflict(WorkflowError):
    """The state moved under the request (409): someone else acted first, or the record is in approval."""


class TaskAlreadyHandled(WorkflowConflict):
    """The task was closed by someone else (or the clock) first; nothing was written."""

    def __init__(self, task_id: int, name: Any, at: datetime | None):
        self.task_id, self.name, self.at = task_id, name, at
        shown = {lang: zoned_moment(at, lang) for lang in ("zh", "en")} if at else "?"  # in UTC: no reader here
        super().__init__("wf_task_handled", name=name, at=shown)


class RecordLocked(WorkflowConflict):
    """A user-channel write to a record whose workflow is running (it changes through the to-do item)."""

    def __init__(self, form: str, record_id: int, node: Any):
        self.form, self.record_id, self.node = form, record_id, node
        super().__init__("wf_record_locked", node=node)


class TaskNotFound(WorkflowError):
    """No such task, or not one the actor may see (404)."""

    def __init__(self, task_id: Any):
        self.task_id = task_id
        super().__init__("wf_no_task", id=task_id)


class InstanceNotFound(WorkflowError):
    """No such workflow instance (404)."""

    def __init__(self, instance_id: Any):
        self.instance_id = instance_id
        super().__init__("wf_no_instance", id=instance_id)

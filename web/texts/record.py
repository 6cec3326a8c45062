"""UI texts (zh, en) of record pages: the header and the tabs below the fields."""

TEXTS: dict[str, dict[str, str]] = {
    "form_cancel": {"zh": "取消", "en": "Cancel"},
    "record_owner": {"zh": "负责人", "en": "Owner"},
    "record_status": {"zh": "状态", "en": "Status"},
    "record_panels": {"zh": "关联记录、评论与动态", "en": "Related records, comments and activity"},
    "record_tab_comments": {"zh": "评论", "en": "Comments"},
    "record_tab_timeline": {"zh": "动态", "en": "Activity"},
    "record_no_comments": {"zh": "还没有评论。", "en": "No comments yet."},
    "record_no_activity": {"zh": "暂无动态。", "en": "No activity yet."},
    "related_add": {"zh": "添加关联记录", "en": "Add a related record"},
}
